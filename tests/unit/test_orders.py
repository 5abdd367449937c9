"""Order intake validation and the two state machines: orders and their fulfillment orders."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from itertools import product

import pytest

from omnifill.domain.errors import InvalidInput, InvalidTransition
from omnifill.domain.orders import (
    FULFILLMENT_TRANSITIONS,
    ORDER_TRANSITIONS,
    Address,
    Customer,
    Delivery,
    DeliveryMethod,
    FulfillmentLine,
    FulfillmentOrder,
    FulfillmentStatus,
    Order,
    OrderDraft,
    OrderLine,
    OrderStatus,
    ServiceLevel,
    transition,
)

OS, F = OrderStatus, FulfillmentStatus
SHIP = Delivery(DeliveryMethod.SHIP, ServiceLevel.STANDARD)
PRICE = Decimal("12.00")

LEGAL_ORDER_MOVES = [(s, t) for s, targets in ORDER_TRANSITIONS.items() for t in sorted(targets)]
ILLEGAL_ORDER_MOVES = [(s, t) for s, t in product(OrderStatus, OrderStatus) if t not in ORDER_TRANSITIONS[s]]
LEGAL_FULFILLMENT_MOVES = [(s, t) for s, targets in FULFILLMENT_TRANSITIONS.items() for t in sorted(targets)]
ILLEGAL_FULFILLMENT_MOVES = [
    (s, t) for s, t in product(FulfillmentStatus, FulfillmentStatus) if t not in FULFILLMENT_TRANSITIONS[s]
]


def draft(lines: tuple[OrderLine, ...], delivery: Delivery = SHIP, ship_to: Address | None = None) -> OrderDraft:
    return OrderDraft("web", "W-1", Customer(email="pat@example.com"), ship_to, delivery, lines)


def order(status: OrderStatus, *fulfillment_statuses: FulfillmentStatus) -> Order:
    return Order(
        id="ord_1", channel="web", external_id="W-1", status=status, customer=Customer(), ship_to=Address("10001"),
        delivery=SHIP, lines=(OrderLine("TEE", 3, PRICE),), created_at=datetime(2026, 11, 25, tzinfo=UTC),
        fulfillments=[
            FulfillmentOrder(f"ful_{n}", f"LOC{n}", status, (FulfillmentLine("TEE", 1),))
            for n, status in enumerate(fulfillment_statuses, start=1)
        ],
    )


def test_the_tables_cover_every_status() -> None:
    assert set(ORDER_TRANSITIONS) == set(OrderStatus)
    assert set(FULFILLMENT_TRANSITIONS) == set(FulfillmentStatus)
    assert len(LEGAL_ORDER_MOVES) + len(ILLEGAL_ORDER_MOVES) == 8 * 8
    assert len(LEGAL_FULFILLMENT_MOVES) + len(ILLEGAL_FULFILLMENT_MOVES) == 12 * 12


@pytest.mark.parametrize(("current", "target"), LEGAL_ORDER_MOVES)
def test_every_legal_order_move_is_accepted(current: OrderStatus, target: OrderStatus) -> None:
    assert transition(ORDER_TRANSITIONS, current, target, "order ord_1") is target


@pytest.mark.parametrize(("current", "target"), ILLEGAL_ORDER_MOVES)
def test_every_illegal_order_move_names_the_current_status(current: OrderStatus, target: OrderStatus) -> None:
    with pytest.raises(InvalidTransition) as refused:
        transition(ORDER_TRANSITIONS, current, target, "order ord_1")

    assert refused.value.details == {"current_status": str(current), "requested_status": str(target)}
    assert refused.value.message == f"order ord_1 is {current}; it cannot become {target}"


@pytest.mark.parametrize(("current", "target"), LEGAL_FULFILLMENT_MOVES)
def test_every_legal_fulfillment_move_is_accepted(current: FulfillmentStatus, target: FulfillmentStatus) -> None:
    assert transition(FULFILLMENT_TRANSITIONS, current, target, "fulfillment ful_1") is target


@pytest.mark.parametrize(("current", "target"), ILLEGAL_FULFILLMENT_MOVES)
def test_every_illegal_fulfillment_move_names_the_current_status(
    current: FulfillmentStatus, target: FulfillmentStatus
) -> None:
    with pytest.raises(InvalidTransition) as refused:
        transition(FULFILLMENT_TRANSITIONS, current, target, "fulfillment ful_1")

    assert refused.value.code == "invalid_transition"
    assert refused.value.details["current_status"] == str(current)


def test_terminal_states_have_no_exits() -> None:
    assert {s for s, targets in ORDER_TRANSITIONS.items() if not targets} == {OS.DELIVERED, OS.PICKED_UP, OS.CANCELLED}
    assert {s for s, targets in FULFILLMENT_TRANSITIONS.items() if not targets} == {
        F.DELIVERED, F.PICKED_UP, F.EXPIRED, F.REJECTED, F.CANCELLED,
    }


def test_nothing_returns_to_a_state_after_shipping_and_nothing_shipped_can_be_cancelled() -> None:
    assert OS.CANCELLED not in ORDER_TRANSITIONS[OS.PARTIALLY_SHIPPED] | ORDER_TRANSITIONS[OS.SHIPPED]
    assert F.CANCELLED not in FULFILLMENT_TRANSITIONS[F.SHIPPED]
    assert FULFILLMENT_TRANSITIONS[F.SHIPPED] == {F.DELIVERED}


def test_cancelling_an_order_cancels_its_fulfillments() -> None:
    placed = order(OS.ALLOCATED, F.PENDING, F.PICKING, F.PACKED)

    placed.cancel()

    assert placed.status is OS.CANCELLED
    assert [f.status for f in placed.fulfillments] == [F.CANCELLED, F.CANCELLED, F.CANCELLED]


def test_an_order_ready_for_pickup_can_be_cancelled() -> None:
    waiting = order(OS.READY_FOR_PICKUP, F.READY_FOR_PICKUP)

    waiting.cancel()

    assert (waiting.status, waiting.fulfillments[0].status) == (OS.CANCELLED, F.CANCELLED)


@pytest.mark.parametrize("status", [OS.PARTIALLY_SHIPPED, OS.SHIPPED, OS.DELIVERED, OS.PICKED_UP, OS.CANCELLED])
def test_an_order_past_the_point_of_cancelling_refuses_and_stays_as_it_was(status: OrderStatus) -> None:
    placed = order(status, F.SHIPPED)

    with pytest.raises(InvalidTransition) as refused:
        placed.cancel()

    assert refused.value.details == {"current_status": str(status), "requested_status": "cancelled"}
    assert (placed.status, placed.fulfillments[0].status) == (status, F.SHIPPED)


def test_a_cancel_refused_by_a_shipped_fulfillment_changes_nothing() -> None:
    # The order has not rolled up the shipment yet; its second fulfillment already left the building.
    placed = order(OS.ALLOCATED, F.PENDING, F.SHIPPED)

    with pytest.raises(InvalidTransition) as refused:
        placed.cancel()

    assert refused.value.details == {"current_status": "shipped", "requested_status": "cancelled"}
    assert placed.status is OS.ALLOCATED
    assert [f.status for f in placed.fulfillments] == [F.PENDING, F.SHIPPED]


def test_reserved_units_lists_every_fulfillment_line() -> None:
    placed = order(OS.ALLOCATED, F.PENDING, F.ACCEPTED)

    assert list(placed.reserved_units()) == [("LOC1", "TEE", 1), ("LOC2", "TEE", 1)]


def test_demand_merges_a_sku_on_several_lines() -> None:
    lines = (OrderLine("TEE", 2, PRICE), OrderLine("CAP", 1, PRICE), OrderLine("TEE", 3, Decimal("10.00")))

    assert draft(lines, ship_to=Address("10001")).demand() == {"TEE": 5, "CAP": 1}


def test_an_order_without_lines_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        draft((), ship_to=Address("10001"))

    assert refused.value.field == "lines"


def test_a_shipped_order_needs_an_address() -> None:
    with pytest.raises(InvalidInput) as refused:
        draft((OrderLine("TEE", 1, PRICE),), SHIP, ship_to=None)

    assert refused.value.field == "ship_to"


def test_a_pickup_names_its_store_and_needs_no_address() -> None:
    with pytest.raises(InvalidInput) as refused:
        Delivery(DeliveryMethod.PICKUP)
    pickup = draft((OrderLine("TEE", 1, PRICE),), Delivery(DeliveryMethod.PICKUP, location="NYC"))

    assert refused.value.field == "delivery.location"
    assert (pickup.ship_to, pickup.delivery.location) == (None, "NYC")


@pytest.mark.parametrize(
    ("quantity", "price", "field"), [(0, "1.00", "quantity"), (-1, "1.00", "quantity"), (1, "-0.01", "unit_price")]
)
def test_an_order_line_needs_a_unit_at_a_price_of_zero_or_more(quantity: int, price: str, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        OrderLine("TEE", quantity, Decimal(price))

    assert refused.value.field == field
    assert OrderLine("TEE", 1, Decimal(0)).unit_price == Decimal(0)
