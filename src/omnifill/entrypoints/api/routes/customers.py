"""One customer across channels: a profile with its orders and till transactions, found by any identity."""

from __future__ import annotations

from fastapi import APIRouter

from omnifill.domain.access import Permission
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.pos_schemas import CustomerListOut, CustomerOut
from omnifill.services import customers

router = APIRouter(prefix="/v1/customers", tags=["customers"])


@router.get("")
def find_customers(
    caller: Caller, uow: Uow, email: str | None = None, phone: str | None = None, loyalty_id: str | None = None,
) -> CustomerListOut:
    """The profile holding one identity (give exactly one), normalized as on intake: `?phone=(212) 555-0100`
    finds a profile made from `+12125550100`."""
    caller.require(Permission.CUSTOMERS_READ)
    ids = customers.find_customers(uow, email, phone, loyalty_id)
    return CustomerListOut(items=[CustomerOut.of(customers.get_customer(uow, i)) for i in ids])


@router.get("/{customer_id}")
def get_customer(customer_id: str, caller: Caller, uow: Uow) -> CustomerOut:
    """A merged-away id answers with the profile it was merged into."""
    caller.require(Permission.CUSTOMERS_READ)
    return CustomerOut.of(customers.get_customer(uow, customer_id))
