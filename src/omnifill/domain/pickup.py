"""Collecting a pickup: who may take it (the pickup code, or the order number with the name on the order), and the
customer saying they have arrived (curbside: the bay they parked in and their vehicle)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from omnifill.domain.errors import InvalidInput, InvalidTransition
from omnifill.domain.orders import FULFILLMENT_TRANSITIONS, FulfillmentOrder, FulfillmentStatus, Order, transition

_F = FulfillmentStatus
# A pickup the customer may already be waiting for: anything before it is handed over, expires or is cancelled.
AWAITING_COLLECTION = frozenset({_F.PENDING, _F.ACCEPTED, _F.PICKING, _F.PICKED, _F.READY_FOR_PICKUP})


class HandoffMethod(StrEnum):
    """How the person collecting proved the order is theirs."""

    PICKUP_CODE = "pickup_code"
    ORDER_NUMBER_AND_NAME = "order_number_and_name"


@dataclass(frozen=True, slots=True)
class PickupProof:
    """What the collector shows: the pickup code, or the order number with the name on the order (not both)."""

    pickup_code: str | None = None
    order_number: str | None = None
    customer_name: str | None = None

    @property
    def method(self) -> HandoffMethod:
        if self.pickup_code is not None:
            if self.order_number is not None or self.customer_name is not None:
                raise InvalidInput("order_number", "give the pickup code, or the order number and name, not both")
            return HandoffMethod.PICKUP_CODE
        if self.order_number is None or self.customer_name is None:
            raise InvalidInput("pickup_code", "give the pickup code, or the order number and the customer's name")
        return HandoffMethod.ORDER_NUMBER_AND_NAME


def hand_over(order: Order, fulfillment: FulfillmentOrder, proof: PickupProof, by: str, at: datetime) -> None:
    """Hand the fulfillment to whoever proves the order is theirs; a wrong proof names the field it failed on.

    The order number is the one the API shows: the channel's external id, or omnifill's order id.
    """
    method = proof.method
    status = transition(FULFILLMENT_TRANSITIONS, fulfillment.status, _F.PICKED_UP,
                        f"fulfillment {fulfillment.id}")  # a move the state forbids is refused before any proof
    if method is HandoffMethod.PICKUP_CODE:
        code = fulfillment.pickup_code
        if code is None or not hmac.compare_digest((proof.pickup_code or "").strip(), code):
            raise InvalidInput("pickup_code", "does not match the code sent to the customer")
    else:
        if (proof.order_number or "").strip() not in (order.external_id, order.id):
            raise InvalidInput("order_number", "is not this order's number")
        if order.customer.name is None or not same_name(proof.customer_name or "", order.customer.name):
            raise InvalidInput("customer_name", "does not match the name on the order")
    fulfillment.status = status
    fulfillment.handed_over_by, fulfillment.handed_over_at = by, at
    fulfillment.handoff_method = method


def arrive(fulfillment: FulfillmentOrder, bay: str | None, vehicle: str | None, at: datetime) -> None:
    """The customer is here to collect (curbside: parked in this bay, in this vehicle); a later word keeps the note."""
    if fulfillment.status not in AWAITING_COLLECTION:
        raise InvalidTransition(
            f"fulfillment {fulfillment.id} is {fulfillment.status}; nobody is waiting to collect it",
            current_status=str(fulfillment.status))
    fulfillment.arrived_at = at
    fulfillment.curbside_bay = bay or fulfillment.curbside_bay
    fulfillment.curbside_vehicle = vehicle or fulfillment.curbside_vehicle


def same_name(a: str, b: str) -> bool:
    """Names as people type them: case and spacing do not matter."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
