"""Stock pages: one SKU at every location (on hand, reserved, available, safety stock) with its ledger, newest
first, and the SKU-locations running low. A store associate sees their own store's rows only."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from omnifill.domain.errors import DomainError, InvalidInput
from omnifill.entrypoints.api.auth import Uow
from omnifill.entrypoints.api.pagination import decode_pair_cursor, encode_cursor
from omnifill.entrypoints.console.desk import page_limit, refused_page
from omnifill.entrypoints.console.pages import render
from omnifill.entrypoints.console.session import Person
from omnifill.services import stock_views
from omnifill.services.stock_views import Balance

router = APIRouter(include_in_schema=False)
MEASURES = (("on_hand", "On hand", "#2f6f8f"), ("reserved", "Reserved", "#c2803a"),
            ("available", "Available", "#3d8b55"), ("safety_stock", "Safety stock", "#8a6fb0"))


@router.get("/inventory")
def inventory_search(request: Request, session: Person) -> Response:
    sku = request.query_params.get("sku", "").strip()
    if sku:
        return RedirectResponse(f"/inventory/{quote(sku, safe='')}", status_code=303)
    return render(request, "inventory_search.html", session)


@router.get("/inventory/low-stock")
def low_stock(request: Request, uow: Uow, session: Person) -> Response:
    below_text = request.query_params.get("below", "").strip()
    context: dict[str, Any] = {"below": below_text, "rows": [], "next_page": None}
    try:
        limit = page_limit(request.query_params.get("limit"), default=50)
        below = _whole(below_text, "below")
        rows = stock_views.running_low(uow, session.user.principal, below,
                                       decode_pair_cursor(request.query_params.get("cursor")), limit + 1)
    except DomainError as refused:
        return refused_page(request, session, refused, "low_stock.html", **context)
    rows, more = rows[:limit], len(rows) > limit  # one more than shown says whether a next page exists
    if more:
        kept = {"below": below_text} if below_text else {}
        context["next_page"] = "/inventory/low-stock?" + urlencode(
            {**kept, "limit": limit, "cursor": encode_cursor([rows[-1].sku, rows[-1].location])})
    return render(request, "low_stock.html", session, **{**context, "rows": rows})


@router.get("/inventory/{sku}")
def sku_page(request: Request, uow: Uow, session: Person, sku: str) -> Response:
    principal = session.user.principal
    try:
        limit = page_limit(request.query_params.get("limit"), default=50)
        before = _whole(request.query_params.get("before", ""), "before")
        balances = stock_views.sku_stock(uow, principal, sku)
        ledger = stock_views.sku_ledger(uow, principal, sku, before, limit + 1)
    except DomainError as refused:
        return refused_page(request, session, refused)
    ledger, more = ledger[:limit], len(ledger) > limit
    next_page = (f"/inventory/{quote(sku, safe='')}?{urlencode({'limit': limit, 'before': ledger[-1].id})}"
                 if more else None)
    return render(request, "sku_stock.html", session, sku=sku, balances=balances, ledger=ledger,
                  next_page=next_page, chart=_chart(balances))


def _chart(balances: list[Balance]) -> dict[str, Any] | None:
    if not balances:
        return None
    places = [b.location for b in balances]
    return {"data": [{"type": "bar", "name": label, "x": places, "y": [getattr(b.level, name) for b in balances],
                      "marker": {"color": color}} for name, label, color in MEASURES],
            "layout": {"barmode": "group", "title": {"text": "Stock at each location"}, "height": 320,
                       "margin": {"t": 40, "b": 40}}}


def _whole(text: str | None, field: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise InvalidInput(field, "must be a whole number, 0 or more")
    return int(text)
