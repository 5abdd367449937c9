"""The event stream: every state change, in commit order, for integrations that pull."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from omnifill.domain.access import Permission
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.event_schemas import EventOut, EventPageOut
from omnifill.entrypoints.api.schemas import Limit
from omnifill.services import events

router = APIRouter(prefix="/v1/events", tags=["events"])


@router.get("")
def read_events(
    caller: Caller, uow: Uow, after: str | None = None,
    types: Annotated[list[str] | None, Query(alias="type",
                                             description="A type (order.placed) or a prefix (order.); repeatable")]
    = None,
    limit: Annotated[Limit, Query()] = 100,
) -> EventPageOut:
    """Events after the cursor (from the start without one), oldest first. Poll on with `next_cursor`."""
    caller.require(Permission.EVENTS_READ)
    page = events.read_events(uow, after, types or [], limit)
    return EventPageOut(items=[EventOut.of(e) for e in page.events], next_cursor=page.next_cursor)
