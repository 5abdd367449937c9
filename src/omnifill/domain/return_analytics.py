"""Return analytics: units returned and the return rate (returned ÷ sold in the period), per group.

Pure: the service reads what was received and what was sold in the period, and this groups and divides.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

RATE_PLACES = Decimal("0.0001")


class GroupBy(StrEnum):
    SKU = "sku"
    REASON = "reason"
    CHANNEL = "channel"
    LOCATION = "location"  # returns: where received; sales: where shipped from or handed over
    DAY = "day"


@dataclass(frozen=True, slots=True)
class ReturnedUnits:
    sku: str
    reason: str
    channel: str
    location: str
    day: date
    units: int


@dataclass(frozen=True, slots=True)
class SoldUnits:
    sku: str
    channel: str
    location: str
    day: date
    units: int


@dataclass(frozen=True, slots=True)
class ReturnRate:
    group: str
    returned_units: int
    sold_units: int
    return_rate: Decimal | None  # None when nothing was sold in the group


def return_rates(
    returned: Iterable[ReturnedUnits], sold: Iterable[SoldUnits], group_by: GroupBy,
) -> list[ReturnRate]:
    """One row per group that returned or sold anything, in the group's order. A reason has no sales of its own,
    so each reason's rate is over every unit sold in the period."""
    back: Counter[str] = Counter()
    for r in returned:
        back[_key(r, group_by)] += r.units
    out: Counter[str] = Counter()
    for s in sold:
        out["" if group_by is GroupBy.REASON else _key(s, group_by)] += s.units
    groups = set(back) if group_by is GroupBy.REASON else set(back) | set(out)
    rows = []
    for group in sorted(groups):
        sold_units = out[""] if group_by is GroupBy.REASON else out[group]
        rows.append(ReturnRate(group, back[group], sold_units, _rate(back[group], sold_units)))
    return rows


def _key(row: ReturnedUnits | SoldUnits, group_by: GroupBy) -> str:
    if group_by is GroupBy.DAY:
        return row.day.isoformat()
    value: str = getattr(row, str(group_by))
    return value


def _rate(returned: int, sold: int) -> Decimal | None:
    if sold == 0:
        return None
    return (Decimal(returned) / Decimal(sold)).quantize(RATE_PLACES, ROUND_HALF_UP)
