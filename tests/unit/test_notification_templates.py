"""Customer messages: the template files shipped with omnifill, filled with what the customer needs to collect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from omnifill.adapters.notifiers import message_template
from omnifill.domain.locations import Capability, GeoPoint, Location, LocationKind
from omnifill.domain.notifications import NotificationKind, pickup_values, render
from omnifill.domain.orders import (
    Customer,
    Delivery,
    DeliveryMethod,
    FulfillmentLine,
    FulfillmentOrder,
    FulfillmentStatus,
    Order,
    OrderLine,
    OrderStatus,
)
from omnifill.domain.routing.promises import pickup_window

READY_AT = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)  # Thursday 12:00 in New York
STORE = Location("ST-NYC", "Herald Square", LocationKind.STORE, GeoPoint(40.75, -73.99), "10001", "US",
                 "America/New_York", frozenset({Capability.PICKUP}), address="151 W 34th St, New York")


def values(curbside: bool = False) -> dict[str, str]:
    work = FulfillmentOrder("ful_1", "ST-NYC", FulfillmentStatus.READY_FOR_PICKUP, (FulfillmentLine("TEE", 2),),
                            pickup_code="042917", ready_at=READY_AT)
    order = Order("ord_1", "web", "W-1001", OrderStatus.READY_FOR_PICKUP, Customer("pat@example.com", "Pat Lee"),
                  None, Delivery(DeliveryMethod.PICKUP, location="ST-NYC", curbside=curbside),
                  (OrderLine("TEE", 2, Decimal("12.00")),), READY_AT, [work])
    return pickup_values(order, work, STORE, pickup_window(STORE, READY_AT, timedelta(days=5)))


def test_the_ready_message_gives_the_code_the_store_and_the_window() -> None:
    subject, body = render(message_template(NotificationKind.PICKUP_READY), values())

    assert subject == "Your order W-1001 is ready for pickup at Herald Square"
    assert "Pickup code: 042917" in body
    assert "151 W 34th St, New York, 10001" in body
    # from now until the hold ends (Tuesday 12:00 New York, the store open then)
    assert "from Thursday 26 November 2026, 12:00 EST until Tuesday 01 December 2026, 12:00 EST" in body
    assert "2 x TEE" in body
    assert "your car" not in body


def test_a_curbside_order_is_told_to_say_when_it_arrives() -> None:
    _, body = render(message_template(NotificationKind.PICKUP_READY), values(curbside=True))

    assert "we bring it out to your car" in body


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_template_renders_with_a_subject_and_no_placeholder_left(kind: NotificationKind) -> None:
    subject, body = render(message_template(kind), values())

    assert subject
    assert "W-1001" in subject
    assert "$" not in subject + body


def test_the_expiry_message_announces_the_refund() -> None:
    subject, body = render(message_template(NotificationKind.PICKUP_EXPIRED), values())

    assert subject == "Order W-1001 was not collected: you will be refunded"
    assert "refunded" in body


def test_a_template_without_a_subject_line_or_with_an_unknown_placeholder_is_a_bug() -> None:
    with pytest.raises(ValueError, match="Subject"):
        render("Hello $customer_name", {"customer_name": "Pat"})
    with pytest.raises(KeyError):
        render("Subject: $nothing\n", {})
