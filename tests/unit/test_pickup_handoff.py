"""Handing a pickup over: the pickup code, or the order number with the customer's name; curbside arrivals."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from omnifill.domain.errors import InvalidInput, InvalidTransition
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
    ServiceLevel,
)
from omnifill.domain.pickup import HandoffMethod, PickupProof, arrive, hand_over

NOW = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
_F = FulfillmentStatus


def ready_order(status: FulfillmentStatus = _F.READY_FOR_PICKUP, name: str | None = "Pat  Lee") -> Order:
    work = FulfillmentOrder("ful_1", "ST-NYC", status, (FulfillmentLine("TEE", 1),), pickup_code="042917")
    return Order("ord_1", "web", "W-1001", OrderStatus.READY_FOR_PICKUP, Customer("pat@example.com", name), None,
                 Delivery(DeliveryMethod.PICKUP, location="ST-NYC", curbside=True),
                 (OrderLine("TEE", 1, Decimal("12.00")),), NOW, [work])


@pytest.mark.parametrize(("proof", "method"), [
    (PickupProof(pickup_code=" 042917 "), HandoffMethod.PICKUP_CODE),
    (PickupProof(order_number="W-1001", customer_name="pat lee"), HandoffMethod.ORDER_NUMBER_AND_NAME),
    (PickupProof(order_number="ord_1", customer_name="  PAT   LEE "), HandoffMethod.ORDER_NUMBER_AND_NAME),
])
def test_the_order_is_handed_over_to_whoever_proves_it_is_theirs(proof: PickupProof, method: HandoffMethod) -> None:
    order = ready_order()
    work = order.fulfillments[0]

    hand_over(order, work, proof, "store:ST-NYC", NOW)

    assert (work.status, work.handoff_method) == (_F.PICKED_UP, method)
    assert (work.handed_over_by, work.handed_over_at) == ("store:ST-NYC", NOW)


@pytest.mark.parametrize(("proof", "field"), [
    (PickupProof(pickup_code="042918"), "pickup_code"),
    (PickupProof(order_number="W-1002", customer_name="Pat Lee"), "order_number"),
    (PickupProof(order_number="W-1001", customer_name="Pat Leeds"), "customer_name"),
    (PickupProof(order_number="W-1001"), "pickup_code"),
    (PickupProof(), "pickup_code"),
    (PickupProof(pickup_code="042917", order_number="W-1001", customer_name="Pat Lee"), "order_number"),
])
def test_a_wrong_proof_names_its_field_and_changes_nothing(proof: PickupProof, field: str) -> None:
    order = ready_order()
    work = order.fulfillments[0]

    with pytest.raises(InvalidInput) as refused:
        hand_over(order, work, proof, "store:ST-NYC", NOW)

    assert refused.value.field == field
    assert (work.status, work.handoff_method, work.handed_over_by) == (_F.READY_FOR_PICKUP, None, None)


def test_an_order_without_a_customer_name_is_only_handed_over_with_the_code() -> None:
    order = ready_order(name=None)

    with pytest.raises(InvalidInput) as refused:
        hand_over(order, order.fulfillments[0], PickupProof(order_number="W-1001", customer_name="Pat Lee"), "x", NOW)

    assert refused.value.field == "customer_name"


@pytest.mark.parametrize("status", [_F.PICKED, _F.PICKED_UP, _F.EXPIRED, _F.CANCELLED])
def test_a_handoff_the_state_forbids_names_the_state_even_with_the_right_proof(status: FulfillmentStatus) -> None:
    order = ready_order(status)

    with pytest.raises(InvalidTransition) as refused:
        hand_over(order, order.fulfillments[0], PickupProof(pickup_code="042917"), "x", NOW)

    assert refused.value.details["current_status"] == str(status)


def test_a_curbside_arrival_keeps_the_bay_and_vehicle_until_handoff() -> None:
    work = ready_order(_F.PICKED).fulfillments[0]

    arrive(work, "Bay 3", "Blue Civic", NOW)
    arrive(work, None, None, NOW)  # said again: the note stays

    assert (work.arrived_at, work.curbside_bay, work.curbside_vehicle) == (NOW, "Bay 3", "Blue Civic")


@pytest.mark.parametrize("status", [_F.PICKED_UP, _F.EXPIRED, _F.CANCELLED, _F.REJECTED])
def test_nobody_arrives_for_work_that_is_over(status: FulfillmentStatus) -> None:
    work = ready_order(status).fulfillments[0]

    with pytest.raises(InvalidTransition) as refused:
        arrive(work, "Bay 3", None, NOW)

    assert refused.value.details["current_status"] == str(status)
    assert work.arrived_at is None


def test_only_a_pickup_is_curbside() -> None:
    with pytest.raises(InvalidInput) as refused:
        Delivery(DeliveryMethod.SHIP, ServiceLevel.STANDARD, curbside=True)
    assert refused.value.field == "delivery.curbside"
