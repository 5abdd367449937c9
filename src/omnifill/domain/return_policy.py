"""The return policy and the refund it pays: windows, final-sale SKUs, reasons, restocking fees, who was at fault.

The policy ships as `omnifill/data/return_policy.json` (a retailer points `OMNIFILL_RETURN_POLICY_FILE` at its
own). Money is Decimal and every amount is rounded to cents (half up, as a till does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from omnifill.domain.errors import InvalidInput

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, ROUND_HALF_UP)


def money_text(amount: Decimal) -> str:
    """To the cent ("12.00"), unless a price carries more places ("12.9950" stays as it is)."""
    rounded = amount.quantize(CENT)
    return str(rounded) if rounded == amount else str(amount.normalize())


@dataclass(frozen=True, slots=True)
class ReasonRule:
    """What a return reason costs the customer, and whether the retailer caused it (then shipping is refunded)."""

    restocking_fee_percent: Decimal = Decimal(0)
    retailer_at_fault: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.restocking_fee_percent <= HUNDRED:
            raise InvalidInput("restocking_fee_percent", "must be between 0 and 100")


@dataclass(frozen=True, slots=True)
class ReturnPolicy:
    window_days: int
    reasons: Mapping[str, ReasonRule]
    channel_window_days: Mapping[str, int] = field(default_factory=dict)
    sku_window_days: Mapping[str, int] = field(default_factory=dict)  # wins over the channel's window
    final_sale_skus: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.reasons:
            raise InvalidInput("reasons", "name at least one return reason")
        days = [self.window_days, *self.channel_window_days.values(), *self.sku_window_days.values()]
        if any(d < 0 for d in days):
            raise InvalidInput("window_days", "must not be negative")

    def window_for(self, channel: str, sku: str) -> int:
        """Days a unit may come back after it reached the customer: the SKU's own, else the channel's, else all."""
        if sku in self.sku_window_days:
            return self.sku_window_days[sku]
        return self.channel_window_days.get(channel, self.window_days)

    def rule(self, reason: str, where: str) -> ReasonRule:
        found = self.reasons.get(reason)
        if found is None:
            raise InvalidInput(where, f"must be one of {', '.join(sorted(self.reasons))}")
        return found


# ------------------------------------------------------------------------------------------------------ refunds


@dataclass(frozen=True, slots=True)
class ReturnedUnits:
    """Units of one SKU that came back, why, and the price the customer paid for each."""

    sku: str
    quantity: int
    reason: str
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class RefundLine:
    sku: str
    quantity: int
    reason: str
    unit_price: Decimal
    amount: Decimal  # what the units cost the customer
    restocking_fee: Decimal
    refund: Decimal  # amount − restocking fee


@dataclass(frozen=True, slots=True)
class Refund:
    lines: tuple[RefundLine, ...]
    shipping: Decimal  # the share of the order's shipping, refunded when the retailer was at fault
    restocking_fee: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class Shipping:
    """What shipping the order cost and how many units it carried: at-fault units get their share back."""

    paid: Decimal = Decimal(0)
    units: int = 0


def refund_for(returned: Sequence[ReturnedUnits], policy: ReturnPolicy, shipping: Shipping = Shipping()) -> Refund:
    """The refund: each line at the price paid less its reason's restocking fee, plus the at-fault units' share
    of the shipping (shipping paid × at-fault units ÷ units shipped)."""
    lines = tuple(_refund_line(units, policy.rule(units.reason, "reason")) for units in returned)
    at_fault = sum(u.quantity for u in returned if policy.rule(u.reason, "reason").retailer_at_fault)
    shipped = cents(shipping.paid * min(at_fault, shipping.units) / shipping.units) if shipping.units else Decimal(0)
    fee = sum((line.restocking_fee for line in lines), Decimal(0))
    total = sum((line.refund for line in lines), Decimal(0)) + shipped
    return Refund(lines, shipped, cents(fee), cents(total))


def _refund_line(units: ReturnedUnits, rule: ReasonRule) -> RefundLine:
    amount = cents(units.unit_price * units.quantity)
    fee = cents(amount * rule.restocking_fee_percent / HUNDRED)
    return RefundLine(units.sku, units.quantity, units.reason, units.unit_price, amount, fee, amount - fee)
