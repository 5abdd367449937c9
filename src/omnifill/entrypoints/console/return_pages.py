"""A store's return desk on a phone or a handheld: find the order, scan or count the units brought back, name the
reason and each line's condition; the return is authorized at this store and received at once.

The scan field works like the pick list's: a keyboard-wedge scanner types the barcode and Enter; the page's script
adds one unit to that line (or refuses an item not on the order). Without the script, Enter sends the form and the
server counts the scan the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from omnifill.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from omnifill.domain.returns import Condition
from omnifill.domain.users import ConsoleSession
from omnifill.entrypoints.api.auth import Uow
from omnifill.entrypoints.console.pages import not_your_store, render
from omnifill.entrypoints.console.session import CheckedPerson, Person
from omnifill.entrypoints.console.store_pages import scanned_units
from omnifill.services.inventory import list_balances
from omnifill.services.return_desk import CounterLine, find_orders, returnable_lines, take_back_at_counter
from omnifill.services.return_receiving import list_dispositions
from omnifill.services.returns import get_return

router = APIRouter(include_in_schema=False)
Lines = Annotated[list[str], Form()]


def _desk(request: Request, uow: Uow, session: ConsoleSession, code: str, q: str = "", order_id: str | None = None,
          status_code: int = 200, error: str | None = None) -> Response:
    """The search, its matches, and (one order chosen) the lines that may come back."""
    principal = session.user.principal
    try:
        principal.require_location(code)
        orders = find_orders(uow, order_id or q, principal) if (order_id or q.strip()) else []
    except Forbidden:
        return not_your_store(request, session, code)
    except InvalidInput as refused:
        orders, error = [], error or refused.message
    chosen = orders[0] if len(orders) == 1 else None
    lines = returnable_lines(uow, chosen.id) if chosen else []
    reasons = sorted(request.app.state.return_policy.reasons)
    return render(request, "returns.html", session, status_code, code=code, q=q, orders=orders, chosen=chosen,
                  lines=lines, reasons=reasons, conditions=[str(c) for c in Condition], error=error,
                  searched=bool(order_id or q.strip()))


@router.get("/stores/{code}/returns")
def return_desk(request: Request, uow: Uow, session: Person, code: str, q: str = "",
                order: str | None = None) -> Response:
    return _desk(request, uow, session, code, q[:200], order)


def counted_lines(skus: list[str], quantities: list[str], conditions: list[str], scan: str,
                  gtins: dict[str, Any]) -> list[CounterLine]:
    """The counts typed on each line, plus a scan the page's script did not take (sent by Enter)."""
    if not len(skus) == len(quantities) == len(conditions):
        raise InvalidInput("lines", "each line needs its SKU, quantity and condition")
    extra = scanned_units(scan, gtins, "on this order") if scan.strip() else {}
    lines = []
    for index, (sku, quantity, condition) in enumerate(zip(skus, quantities, conditions, strict=True)):
        if not (quantity or "0").strip().isdigit():
            raise InvalidInput(f"lines[{index}].quantity", f"{sku}: a whole number of units")
        if condition not in Condition.__members__.values():
            raise InvalidInput(f"lines[{index}].condition", f"must be one of {', '.join(Condition)}")
        lines.append(CounterLine(sku, int(quantity or 0) + extra.get(sku, 0), Condition(condition)))
    if not any(line.quantity for line in lines):
        raise InvalidInput("lines", "nothing to take back: count or scan at least one unit")
    return lines


@router.post("/stores/{code}/returns")
def take_back(request: Request, uow: Uow, session: CheckedPerson, code: str,
              order_id: Annotated[str, Form(max_length=64)], reason: Annotated[str, Form(max_length=64)] = "",
              sku: Lines = [], quantity: Lines = [], condition: Lines = [],  # noqa: B006 (FastAPI copies defaults)
              scan: Annotated[str, Form(max_length=200)] = "") -> Response:
    state = request.app.state
    try:
        session.user.principal.require_location(code)
        known = {line.sku.code: line.sku for line in returnable_lines(uow, order_id)}
        lines = counted_lines(sku, quantity, condition, scan, known)
        rma = take_back_at_counter(uow, order_id, code, lines, reason, session.user.principal, datetime.now(UTC),
                                   policy=state.return_policy, carriers=state.carriers)
    except Forbidden:
        return not_your_store(request, session, code)
    except DomainError as refused:
        status = 404 if isinstance(refused, NotFound) else 422 if isinstance(refused, InvalidInput) else 409
        return _desk(request, uow, session, code, order_id=order_id, status_code=status, error=refused.message)
    return RedirectResponse(f"/stores/{code}/returns/{rma.id}", status_code=303)


@router.get("/stores/{code}/returns/{return_id}")
def taken_back(request: Request, uow: Uow, session: Person, code: str, return_id: str) -> Response:
    """What came back and where each unit went: on the shelf (and available now), or to its disposition."""
    principal = session.user.principal
    try:
        principal.require_location(code)
        rma = get_return(uow, return_id, principal)
        received = list_dispositions(uow, principal, location=code, disposition=None, return_id=rma.id)
    except Forbidden:
        return not_your_store(request, session, code)
    except NotFound as missing:
        return render(request, "error.html", session, 404, title="Not found", message=missing.message)
    available = {r.sku: _available(uow, r.sku, code) for r in received if r.condition is Condition.SELLABLE}
    return render(request, "return_done.html", session, code=code, rma=rma, received=received, available=available)


def _available(uow: Uow, sku: str, code: str) -> int:
    balances, _ = list_balances(uow, sku, code, None, 1)
    return balances[0].level.available if balances else 0
