"""The order desk: orders found by filters or id, one order read whole (its routing explained, its work, parcels,
returns and every event in time order), and the moves people make on it: cancel, re-route work not yet started.

A store associate sees the orders their store fulfills or hands over, as their API key would; any other order
is the console's 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from omnifill.domain.access import Permission
from omnifill.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from omnifill.domain.events import DomainEvent
from omnifill.domain.orders import ORDER_TRANSITIONS, FulfillmentStatus, Order, OrderStatus
from omnifill.domain.routing.explanation import why_this_plan
from omnifill.domain.users import ConsoleSession
from omnifill.entrypoints.api.auth import Uow
from omnifill.entrypoints.api.pagination import decode_text_cursor, encode_cursor
from omnifill.entrypoints.console.desk import page_limit, refused_page
from omnifill.entrypoints.console.pages import render
from omnifill.entrypoints.console.session import CheckedPerson, Person
from omnifill.services import order_desk, shipments
from omnifill.services.order_desk import OrderFile, OrderFilters, StoredDecision

router = APIRouter(include_in_schema=False)
FILTERS = ("q", "channel", "status", "location", "from", "to")
COST_PARTS = ("shipping", "handling", "capacity", "opportunity")
# What the timeline says of an event, from its payload; never the pickup code (the stores' screens hide it).
NOTE_LENGTH = 100
SUMMARY_KEYS = ("status", "location", "origin", "carrier", "tracking_number", "reason", "actor", "authorized_by")


@router.get("/orders")
def order_list(request: Request, uow: Uow, session: Person) -> Response:
    asked = {name: request.query_params.get(name, "").strip() for name in FILTERS}
    try:
        limit = page_limit(request.query_params.get("limit"), default=25)
        found = order_desk.find_orders(uow, session.user.principal, _filters(asked),
                                       decode_text_cursor(request.query_params.get("cursor")), limit + 1)
    except DomainError as refused:
        return refused_page(request, session, refused, "order_list.html", asked=asked, orders=[], next_page=None,
                            statuses=list(OrderStatus))
    found, more = found[:limit], len(found) > limit  # one more than shown says whether a next page exists
    kept = {name: value for name, value in asked.items() if value}
    next_page = (f"/orders?{urlencode({**kept, 'limit': limit, 'cursor': encode_cursor(found[-1].id)})}"
                 if more else None)
    return render(request, "order_list.html", session, asked=asked, orders=found, next_page=next_page,
                  statuses=list(OrderStatus))


def _filters(asked: dict[str, str]) -> OrderFilters:
    status = asked["status"] or None
    if status is not None and status not in set(OrderStatus):
        raise InvalidInput("status", f"must be one of {', '.join(OrderStatus)}")
    placed_from, placed_to = _day(asked["from"], "from"), _day(asked["to"], "to")
    return OrderFilters(
        channel=asked["channel"] or None, status=status, location=asked["location"] or None,
        placed_from=datetime.combine(placed_from, time(), UTC) if placed_from else None,
        placed_until=datetime.combine(placed_to + timedelta(days=1), time(), UTC) if placed_to else None,
        search=asked["q"] or None,
    )


def _day(text: str, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(field, "must be a date like 2026-11-30") from None


@router.get("/orders/{order_id}")
def order_page(request: Request, uow: Uow, session: Person, order_id: str) -> Response:
    return _order_page(request, uow, session, order_id, done=request.query_params.get("done"))


def _order_page(request: Request, uow: Uow, session: ConsoleSession, order_id: str, status_code: int = 200,
                error: str | None = None, done: str | None = None) -> Response:
    try:
        found = order_desk.order_file(uow, order_id, session.user.principal)
    except (Forbidden, NotFound) as refused:
        return refused_page(request, session, refused)
    return render(request, "order_page.html", session, status_code, file=found, order=found.order, error=error,
                  done=done, decisions=[_decision(d) for d in found.decisions], timeline=_timeline(found),
                  moves=_moves(session, found.order), reject_reasons=request.app.state.settings.reject_reasons)


def _decision(stored: StoredDecision) -> dict[str, Any]:
    body = stored.body
    priced = [c for c in body.get("candidates", []) if c.get("cost")]
    chart = {"data": [{"type": "bar", "name": part, "x": [c["location"] for c in priced],
                       "y": [c["cost"].get(part, 0) for c in priced]} for part in COST_PARTS],
             "layout": {"barmode": "stack", "title": {"text": "Cost of each priced location"},
                        "margin": {"t": 40, "b": 40}, "height": 300, "yaxis": {"title": {"text": "cost"}}}}
    return {"sequence": stored.sequence, "kind": stored.kind, "profile": stored.profile,
            "decided_at": stored.created_at, "body": body, "why": why_this_plan(stored.kind, body),
            "chart": chart if priced else None, "parts": COST_PARTS}


def _timeline(found: OrderFile) -> list[dict[str, Any]]:
    return [{"at": e.occurred_at, "type": e.type, "entity": e.entity_id, "summary": _summary(e)}
            for e in found.timeline]


def _summary(event: DomainEvent) -> str:
    shown = [f"{key.replace('_', ' ')} {event.payload[key]}" for key in SUMMARY_KEYS if event.payload.get(key)]
    return " · ".join(shown)


def _moves(session: ConsoleSession, order: Order) -> dict[str, Any]:
    """Which buttons the page offers this person; the services check again when one is pressed."""
    principal = session.user.principal
    granted = {p for p in (Permission.ORDERS_WRITE, Permission.FULFILLMENT_WRITE, Permission.SHIPPING_READ)
               if _holds(session, p)}
    return {
        "cancel": Permission.ORDERS_WRITE in granted and OrderStatus.CANCELLED in ORDER_TRANSITIONS[order.status],
        "reroute": {f.id for f in order.fulfillments if f.status is FulfillmentStatus.PENDING
                    and Permission.FULFILLMENT_WRITE in granted and principal.location in (None, f.location)},
        "labels": Permission.SHIPPING_READ in granted,
    }


def _holds(session: ConsoleSession, permission: Permission) -> bool:
    try:
        session.user.principal.require(permission)
    except Forbidden:
        return False
    return True


@router.post("/orders/{order_id}/cancel")
def cancel(request: Request, uow: Uow, session: CheckedPerson, order_id: str) -> Response:
    return _move(request, uow, session, order_id, "cancelled", lambda: order_desk.cancel_from_desk(
        uow, order_id, session.user.principal, datetime.now(UTC)))


@router.post("/orders/{order_id}/fulfillments/{fulfillment_id}/reroute")
def reroute(request: Request, uow: Uow, session: CheckedPerson, order_id: str, fulfillment_id: str,
            reason: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
    def move() -> object:
        allowed = request.app.state.settings.reject_reasons
        if reason not in allowed:
            raise InvalidInput("reason", f"must be one of {', '.join(allowed)}")
        if len(note.strip()) > NOTE_LENGTH:  # the ledger keeps the reason with its note in 200 characters
            raise InvalidInput("note", f"at most {NOTE_LENGTH} characters")
        said = f"{reason}: {note.strip()}" if note.strip() else reason
        return order_desk.reroute_pending(uow, order_id, fulfillment_id, session.user.principal, said,
                                          datetime.now(UTC))

    return _move(request, uow, session, order_id, "rerouted", move)


def _move(request: Request, uow: Uow, session: ConsoleSession, order_id: str, done: str,
          move: Callable[[], object]) -> Response:
    """Run one move; on success back to the order (Post/Redirect/Get), else the order with the reason."""
    try:
        move()
    except Forbidden as refused:
        return refused_page(request, session, refused)
    except DomainError as refused:
        status = 422 if isinstance(refused, InvalidInput) else 404 if isinstance(refused, NotFound) else 409
        return _order_page(request, uow, session, order_id, status, error=refused.message)
    return RedirectResponse(f"/orders/{order_id}?done={done}", status_code=303)


@router.get("/shipments/{shipment_id}/label")
def shipment_label(request: Request, uow: Uow, session: Person, shipment_id: str) -> Response:
    """The label PDF, from the same service as GET /v1/shipments/{id}/label."""
    try:
        session.user.principal.require(Permission.SHIPPING_READ)
        pdf = shipments.shipment_label(uow, shipment_id, session.user.principal)
    except (Forbidden, NotFound) as refused:
        return refused_page(request, session, refused)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="label-{shipment_id}.pdf"'})
