"""A store associate's screens, sized for a phone or a handheld scanner: the next move on each piece of work, a
pick list confirmed by scanning, and the handoff of a pickup order by its code.

A keyboard-wedge scanner types what it reads and presses Enter, so every scan lands in a focused text field. The
page's script tallies scans as they come (and refuses a wrong item at once, loudly); the server checks the scans
again when the pick is confirmed, so a page without its script still cannot pick the wrong thing.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from omnifill.domain.catalog import Sku
from omnifill.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from omnifill.domain.orders import DeliveryMethod, FulfillmentOrder, FulfillmentStatus, Order
from omnifill.domain.pickup import PickupProof
from omnifill.entrypoints.api.auth import Uow
from omnifill.entrypoints.console.pages import not_your_store, render
from omnifill.entrypoints.console.session import CheckedPerson, Person
from omnifill.services import fulfillment
from omnifill.services.catalog import get_sku

router = APIRouter(include_in_schema=False)
_F = FulfillmentStatus
# The simple moves, one button each; picking and handing over have their own screens' forms.
BUTTONS: dict[FulfillmentStatus, tuple[str, str]] = {
    _F.PENDING: ("accept", "Accept"), _F.ACCEPTED: ("start", "Start picking"),
}


def _work(uow: Uow, code: str, fulfillment_id: str, session: Any) -> tuple[Order, FulfillmentOrder]:
    order, found = fulfillment.get_fulfillment(uow, fulfillment_id, session.user.principal)
    if found.location != code:
        raise NotFound(f"no work {fulfillment_id} at {code}", fulfillment_id=fulfillment_id)
    return order, found


def _next_step(order: Order, found: FulfillmentOrder) -> str | None:
    """Which form the screen shows: a button, the scan-to-pick list, or the handoff."""
    if found.status in BUTTONS:
        return "button"
    if found.status in (_F.ACCEPTED, _F.PICKING):
        return "pick"
    if found.status is _F.PICKED:
        return "ready" if order.delivery.method is DeliveryMethod.PICKUP else "pack"
    if found.status is _F.READY_FOR_PICKUP:
        return "handoff"
    return None


def _screen(request: Request, uow: Uow, session: Any, code: str, fulfillment_id: str, status_code: int = 200,
            error: str | None = None, done: str | None = None) -> Response:
    try:
        order, found = _work(uow, code, fulfillment_id, session)
    except Forbidden:
        return not_your_store(request, session, code)
    skus = {line.sku: get_sku(uow, line.sku) for line in found.lines}
    step = _next_step(order, found)
    if step == "button" and found.status is _F.ACCEPTED:
        step = "pick"  # accepted work is picked straight away: scanning the first item starts the pick
    return render(request, "work.html", session, status_code, code=code, order=order, work=found, skus=skus,
                  step=step, button=BUTTONS.get(found.status), error=error, done=done)


@router.get("/stores/{code}/work/{fulfillment_id}")
def work_screen(request: Request, uow: Uow, session: Person, code: str, fulfillment_id: str) -> Response:
    try:
        return _screen(request, uow, session, code, fulfillment_id, done=request.query_params.get("done"))
    except NotFound as missing:
        return render(request, "error.html", session, 404, title="Not found", message=missing.message)


def _outcome(request: Request, uow: Uow, session: Any, code: str, fulfillment_id: str, move: Any,
             done: str) -> Response:
    """Run one move; on success back to the screen (Post/Redirect/Get), else the screen with the reason."""
    try:
        move()
    except Forbidden:
        return not_your_store(request, session, code)
    except DomainError as refused:
        status = 422 if isinstance(refused, InvalidInput) else 404 if isinstance(refused, NotFound) else 409
        return _screen(request, uow, session, code, fulfillment_id, status, error=refused.message)
    return RedirectResponse(f"/stores/{code}/work/{fulfillment_id}?done={done}", status_code=303)


@router.post("/stores/{code}/work/{fulfillment_id}/move")
def move_work(request: Request, uow: Uow, session: CheckedPerson, code: str, fulfillment_id: str,
              action: Annotated[str, Form()]) -> Response:
    if action not in ("accept", "start", "pack", "ready"):
        return _screen(request, uow, session, code, fulfillment_id, 422, error=f"{action} is not a move here")
    principal, now = session.user.principal, datetime.now(UTC)
    state = request.app.state

    def move() -> None:
        _work(uow, code, fulfillment_id, session)
        fulfillment.advance(uow, fulfillment_id, action, principal, now, cartons=state.carton_sizes,
                            messaging=state.messaging)

    return _outcome(request, uow, session, code, fulfillment_id, move, action)


def scanned_units(scans: str, skus: dict[str, Sku], where: str = "on this pick list") -> Counter[str]:
    """What each scan (a GTIN, or the SKU code typed by hand) was, per SKU; anything else is refused."""
    by_code = {**{sku.gtin: code for code, sku in skus.items() if sku.gtin}, **{code: code for code in skus}}
    found: Counter[str] = Counter()
    for scan in (s.strip() for s in scans.splitlines()):
        if not scan:
            continue
        if scan not in by_code:
            raise InvalidInput("scan", f"{scan} is not {where}")
        found[by_code[scan]] += 1
    return found


@router.post("/stores/{code}/work/{fulfillment_id}/pick")
def confirm_pick(request: Request, uow: Uow, session: CheckedPerson, code: str, fulfillment_id: str,
                 scans: Annotated[str, Form(max_length=20_000)] = "",
                 scan: Annotated[str, Form(max_length=200)] = "") -> Response:
    """The scans confirm the pick; fewer than asked is a short pick and the rest is routed elsewhere."""
    principal, now = session.user.principal, datetime.now(UTC)

    def move() -> None:
        _, found = _work(uow, code, fulfillment_id, session)
        asked = {line.sku: line.quantity for line in found.lines}
        units = scanned_units(f"{scans}\n{scan}", {sku: get_sku(uow, sku) for sku in asked})
        if not units:  # an Enter with nothing scanned must not short-pick the whole order
            raise InvalidInput("scan", "nothing scanned yet: scan each item, or reject the work if none is here")
        for sku, count in units.items():
            if count > asked[sku]:
                raise InvalidInput("scan", f"{sku}: {count} scanned, only {asked[sku]} on the list")
        if found.status is _F.ACCEPTED:  # the first scan began the pick
            fulfillment.advance(uow, fulfillment_id, "start", principal, now)
        fulfillment.pick(uow, fulfillment_id, {sku: units.get(sku, 0) for sku in asked}, principal, now)

    return _outcome(request, uow, session, code, fulfillment_id, move, "pick")


@router.post("/stores/{code}/work/{fulfillment_id}/handoff")
def hand_over(request: Request, uow: Uow, session: CheckedPerson, code: str, fulfillment_id: str,
              pickup_code: Annotated[str, Form(max_length=64)] = "") -> Response:
    """The customer shows the code they were sent (on paper or a phone); the scanner types it."""
    principal, now = session.user.principal, datetime.now(UTC)

    def move() -> None:
        _work(uow, code, fulfillment_id, session)
        fulfillment.hand_over(uow, fulfillment_id, PickupProof(pickup_code=pickup_code.strip()), principal, now)

    return _outcome(request, uow, session, code, fulfillment_id, move, "handoff")
