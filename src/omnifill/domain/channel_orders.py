"""What a channel's message means once mapped: an order to place, a cancellation, a refund, or nothing to do.

The channel adapters (adapters/channels/) turn each native payload into one of these, naming the JSON path of
anything they cannot read. SKUs are still the channel's identifiers here; `ChannelOrder.to_draft` resolves them
against the catalog (by SKU code, else by GTIN/barcode) and names the line that did not resolve.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from omnifill.domain.errors import InvalidInput
from omnifill.domain.orders import Address, Customer, Delivery, OrderDraft, OrderLine


@dataclass(frozen=True, slots=True)
class ChannelLine:
    """One line as the channel sent it; `identifiers` are tried in turn (the SKU first, then a barcode)."""

    path: str  # where the line sits in the payload, e.g. "line_items[2]"
    identifiers: tuple[str, ...]
    quantity: int
    unit_price: Decimal  # after the discounts allocated to this line


@dataclass(frozen=True, slots=True)
class ChannelOrder:
    channel: str
    external_id: str
    customer: Customer
    ship_to: Address | None
    delivery: Delivery
    lines: tuple[ChannelLine, ...]
    # Kept as information: the channel's order name, totals, taxes, discounts, shipping charged, customer id.
    channel_data: Mapping[str, Any] = field(default_factory=dict)

    def identifiers(self) -> set[str]:
        return {identifier for line in self.lines for identifier in line.identifiers}

    def to_draft(self, sku_for: Callable[[str], str | None]) -> OrderDraft:
        """The canonical order; an identifier no catalog SKU answers to is a 422 naming the line's path."""
        lines = []
        for line in self.lines:
            sku = next((found for i in line.identifiers if (found := sku_for(i)) is not None), None)
            if sku is None:
                shown = " or ".join(line.identifiers) or "(none)"
                raise InvalidInput(f"{line.path}.sku", f"unknown SKU {shown}: no catalog SKU or GTIN matches")
            lines.append(OrderLine(sku, line.quantity, line.unit_price))
        return OrderDraft(self.channel, self.external_id, self.customer, self.ship_to, self.delivery, tuple(lines),
                          channel_data=dict(self.channel_data))


@dataclass(frozen=True, slots=True)
class Cancellation:
    external_id: str
    reason: str
    path: str = "id"  # where the order's id sits in the payload: named if no such order was ever placed


@dataclass(frozen=True, slots=True)
class RefundLine:
    identifiers: tuple[str, ...]
    quantity: int


@dataclass(frozen=True, slots=True)
class RefundInstruction:
    """The channel refunded (part of) an order: what a return authorization is built from."""

    external_id: str
    refund_id: str
    lines: tuple[RefundLine, ...]
    restock: bool  # whether the channel says the units come back to stock
    note: str | None = None

    def as_payload(self) -> dict[str, Any]:
        return {
            "external_id": self.external_id, "refund_id": self.refund_id, "restock": self.restock, "note": self.note,
            "lines": [{"identifiers": list(ln.identifiers), "quantity": ln.quantity} for ln in self.lines],
        }


@dataclass(frozen=True, slots=True)
class Ignored:
    """A delivery that asks nothing of us (a pending WooCommerce order, a status we do not act on)."""

    reason: str


ChannelMessage = ChannelOrder | Cancellation | RefundInstruction | Ignored
