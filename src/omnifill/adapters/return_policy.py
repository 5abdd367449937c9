"""The return policy, read from a JSON file: the one shipped in `omnifill/data/return_policy.json`, or a retailer's
own named by `OMNIFILL_RETURN_POLICY_FILE`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from omnifill.adapters.data_files import read_json
from omnifill.domain.errors import InvalidInput
from omnifill.domain.return_policy import ReasonRule, ReturnPolicy


def load_return_policy(path: Path | None = None) -> ReturnPolicy:
    return return_policy_from(read_json("return_policy.json", path))


def return_policy_from(document: dict[str, Any]) -> ReturnPolicy:
    try:
        reasons = {
            str(code): ReasonRule(Decimal(str(rule.get("restocking_fee_percent", 0))),
                                  bool(rule.get("retailer_at_fault", False)))
            for code, rule in document["reasons"].items()
        }
        return ReturnPolicy(
            window_days=int(document.get("window_days", 30)), reasons=reasons,
            channel_window_days={str(k): int(v) for k, v in document.get("channel_window_days", {}).items()},
            sku_window_days={str(k): int(v) for k, v in document.get("sku_window_days", {}).items()},
            final_sale_skus=frozenset(str(s) for s in document.get("final_sale_skus", [])),
        )
    except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation) as error:
        raise InvalidInput("return_policy_file", f"not a return policy: {error!r}") from None
