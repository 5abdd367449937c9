"""The rate card: carrier rates, handling costs and the capacity curve, read from a JSON file.

The default card ships with the package (`omnifill/data/rates.json`); a retailer points at its own with a path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omnifill.adapters.data_files import read_json
from omnifill.domain.costs import CapacityCurve, CostModel, Handling, RateTable, ServiceRates
from omnifill.domain.errors import InvalidInput
from omnifill.domain.locations import LocationKind
from omnifill.domain.orders import ServiceLevel


def load_cost_model(path: Path | None = None) -> CostModel:
    """The cost model of a rate card file, or of the default card shipped with omnifill."""
    return cost_model_from_card(read_card(path))


def read_card(path: Path | None = None) -> dict[str, Any]:
    """A rate card file, or the default card shipped with omnifill."""
    card: dict[str, Any] = read_json("rates.json", path)
    return card


def cost_model_from_card(card: dict[str, Any]) -> CostModel:
    try:
        handling = {LocationKind(kind): Handling(float(h["per_order"]), float(h["per_unit"]))
                    for kind, h in card["handling"].items()}
        capacity = CapacityCurve(**{k: float(v) for k, v in card.get("capacity", {}).items()})
        return CostModel(rate_table_from_card(card), handling, split_penalty=float(card.get("split_penalty", 0.0)),
                         capacity=capacity)
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidInput("rate_card", f"not a rate card: {error!r}") from None


def rate_table_from_card(card: dict[str, Any]) -> RateTable:
    """The carrier rates of a card (its `services`): what routing prices with, and what carriers start from."""
    try:
        return RateTable({
            ServiceLevel(level): ServiceRates(
                first_kg=_by_zone(rates["first_kg"], float), per_extra_kg=_by_zone(rates["per_extra_kg"], float),
                transit_days=_by_zone(rates["transit_days"], int),
            )
            for level, rates in card["services"].items()
        })
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InvalidInput("rate_card", f"not a rate card: {error!r}") from None


def _by_zone(values: dict[str, Any], kind: type[float] | type[int]) -> dict[int, Any]:
    return {int(zone): kind(value) for zone, value in values.items()}
