"""What the operations console shows at a glance: open work by state, orders by channel."""

from __future__ import annotations

from datetime import datetime

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Permission, Principal, Role
from omnifill.services.fulfillment import NEXT_ACTION


def open_work(uow: UnitOfWork, principal: Principal, location: str | None = None) -> dict[str, int]:
    """Fulfillments waiting for someone, by state, in the order work flows (a state with none shows 0)."""
    principal.require(Permission.ORDERS_READ)
    if location is not None:
        principal.require_location(location)
    elif principal.role is Role.STORE:
        location = principal.scope
    with uow.reading() as reader:
        counts = reader.operations.fulfillments_by_status([str(s) for s in NEXT_ACTION], location)
    return {str(status): counts.get(str(status), 0) for status in NEXT_ACTION}


def orders_by_channel(uow: UnitOfWork, principal: Principal, since: datetime, until: datetime) -> dict[str, int]:
    principal.require(Permission.ORDERS_READ)
    with uow.reading() as reader:
        return reader.operations.orders_by_channel(since, until)
