from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from omnifill.domain.access import Permission
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.pagination import decode_text_cursor, encode_cursor
from omnifill.entrypoints.api.routing_schemas import TaskOut
from omnifill.entrypoints.api.schemas import (
    Limit,
    LocationIn,
    LocationOut,
    LocationPatch,
    Page,
    opening_hours_of,
)
from omnifill.services import catalog, fulfillment

router = APIRouter(prefix="/v1/locations", tags=["network"])


@router.post("", status_code=201)
def create_location(body: LocationIn, caller: Caller, uow: Uow) -> LocationOut:
    caller.require(Permission.NETWORK_WRITE)
    draft = catalog.LocationDraft(**{**body.model_dump(), "capabilities": frozenset(body.capabilities),
                                     "opening_hours": opening_hours_of(body.opening_hours)})
    return LocationOut.of(catalog.create_location(uow, draft, datetime.now(UTC)))


@router.get("")
def list_locations(
    caller: Caller, uow: Uow, limit: Annotated[Limit, Query()] = 50, cursor: str | None = None
) -> Page[LocationOut]:
    caller.require(Permission.NETWORK_READ)
    found = catalog.list_locations(uow, decode_text_cursor(cursor), limit, only=caller.location)
    return Page(items=[LocationOut.of(loc) for loc in found],
                next_cursor=encode_cursor(found[-1].code) if len(found) == limit else None)


@router.get("/{code}")
def get_location(code: str, caller: Caller, uow: Uow) -> LocationOut:
    caller.require(Permission.NETWORK_READ)
    caller.require_location(code)
    return LocationOut.of(catalog.get_location(uow, code))


@router.patch("/{code}")
def update_location(code: str, body: LocationPatch, caller: Caller, uow: Uow) -> LocationOut:
    caller.require(Permission.NETWORK_WRITE)
    changes = body.model_dump(exclude_unset=True)
    if "capabilities" in changes:
        changes["capabilities"] = frozenset(changes["capabilities"] or ())
    if "opening_hours" in changes:
        changes["opening_hours"] = opening_hours_of(body.opening_hours)
    return LocationOut.of(catalog.update_location(uow, code, changes, datetime.now(UTC)))


@router.get("/{code}/tasks")
def location_tasks(code: str, caller: Caller, uow: Uow) -> list[TaskOut]:
    """The location's queue — accept, pick, pack, ship, ready, hand over — the oldest promise first."""
    caller.require(Permission.ORDERS_READ)
    return [
        TaskOut(fulfillment_id=t.fulfillment.id, order_id=t.order_id, status=str(t.fulfillment.status),
                action=t.action, promised_by=t.promised_by,
                lines=[{"sku": ln.sku, "quantity": ln.quantity} for ln in t.fulfillment.lines],
                curbside=t.curbside, arrived_at=t.fulfillment.arrived_at, bay=t.fulfillment.curbside_bay,
                vehicle=t.fulfillment.curbside_vehicle)
        for t in fulfillment.location_tasks(uow, code, caller)
    ]
