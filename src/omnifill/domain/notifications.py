"""Messages to customers about their pickup: ready (with the code and the window), a reminder, the expiry.

A message is rendered from a template file (`data/templates/<kind>.txt`, read by the adapters): its first line is
`Subject: …`, the rest is the body, and `$name` placeholders are filled with `string.Template`.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from omnifill.domain.locations import Location
from omnifill.domain.orders import FulfillmentOrder, Order
from omnifill.domain.routing.promises import PickupWindow


class NotificationKind(StrEnum):
    PICKUP_READY = "pickup_ready"
    PICKUP_REMINDER = "pickup_reminder"
    PICKUP_EXPIRED = "pickup_expired"


class NotificationStatus(StrEnum):
    PENDING = "pending"  # written with the move that caused it; leaves after the commit
    SENDING = "sending"  # claimed by one sender, so two never send it twice
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Message:
    recipient: str
    subject: str
    body: str


def render(template: str, values: Mapping[str, str]) -> tuple[str, str]:
    """(subject, body) of a template filled with `values`; a placeholder without a value is a template bug."""
    filled = string.Template(template).substitute(values)
    first, _, body = filled.partition("\n")
    header, colon, subject = first.partition(":")
    if header.strip().lower() != "subject" or not colon:
        raise ValueError("a message template starts with a 'Subject: …' line")
    return subject.strip(), "\n".join(line.rstrip() for line in body.lstrip("\n").split("\n"))


def pickup_values(
    order: Order, fulfillment: FulfillmentOrder, store: Location, window: PickupWindow | None,
) -> dict[str, str]:
    """What the pickup templates may say."""
    return {
        "customer_name": order.customer.name or "customer",
        "order_number": order.external_id,
        "pickup_code": fulfillment.pickup_code or "",
        "store_name": store.name,
        "store_address": ", ".join(part for part in (store.address, store.postal_code) if part),
        "ready_from": _when(window.opens) if window else "when the store opens",
        "ready_until": _when(window.closes) if window else "the end of the hold",
        "curbside": "Tell us when you arrive and we bring it out to your car." if order.delivery.curbside else "",
        "items": "\n".join(f"  {line.quantity} x {line.sku}" for line in fulfillment.lines),
    }


def _when(moment: datetime) -> str:
    return moment.strftime("%A %d %B %Y, %H:%M %Z")
