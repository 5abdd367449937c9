"""The network page: every location on a map coloured by today's load against its capacity, and a table to switch
fulfillment on or off per location (admins; operators see it read-only).

The map is a plain Plotly scatter on longitude/latitude axes over the silhouette of the country's ZIP codes:
Plotly's geo and mapbox traces would fetch their map data from the internet.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from omnifill.adapters.geography import postal_silhouette
from omnifill.domain.access import GRANTS, Permission, Role
from omnifill.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from omnifill.domain.locations import LocationKind
from omnifill.domain.users import ConsoleSession
from omnifill.entrypoints.api.auth import Uow
from omnifill.entrypoints.console.pages import render
from omnifill.entrypoints.console.session import CheckedPerson, Person
from omnifill.services.network_load import LocationLoad, network_load, switch_fulfillment

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
SYMBOLS = {LocationKind.WAREHOUSE: "square", LocationKind.STORE: "circle", LocationKind.DARK_STORE: "diamond",
           LocationKind.MICRO_FULFILLMENT: "triangle-up", LocationKind.DROPSHIP_VENDOR: "star"}
# Green while there is room, amber past 70 %, red at capacity.
LOAD_COLOURS = [[0.0, "#2e8b57"], [0.7, "#e0a100"], [1.0, "#b22222"]]
NO_LIMIT = "#8a96a0"
MEAN_LATITUDE = 38.0  # the lower 48's middle: one degree of longitude is cos(38°) of a degree of latitude


def _symbol(load: LocationLoad) -> str:
    """Switched-off locations are drawn hollow."""
    shape = SYMBOLS[load.location.kind]
    return shape if load.location.fulfillment_enabled else f"{shape}-open"


def load_text(load: LocationLoad) -> str:
    if load.capacity is None:
        return "no limit"
    return f"{load.today} / {load.capacity}"


def _hover(load: LocationLoad) -> str:
    loc = load.location
    enabled = "fulfillment on" if loc.fulfillment_enabled else "fulfillment OFF"
    return f"<b>{loc.name}</b> ({loc.code})<br>{loc.kind.replace('_', ' ')}<br>today {load_text(load)}<br>{enabled}"


def _markers(name: str, loads: list[LocationLoad], marker: dict[str, Any]) -> dict[str, Any]:
    return {"type": "scatter", "mode": "markers", "name": name, "hoverinfo": "text",
            "x": [ld.location.position.longitude for ld in loads], "y": [ld.location.position.latitude for ld in loads],
            "text": [_hover(ld) for ld in loads], "customdata": [ld.location.code for ld in loads],
            "marker": {"size": 13, "line": {"width": 1.5, "color": "#1d2a33"},
                       "symbol": [_symbol(ld) for ld in loads], **marker}}


def network_map(loads: list[LocationLoad]) -> dict[str, Any]:
    """The chart: the country's outline, then capacity-limited locations by load, then the rest in grey."""
    longitudes, latitudes = postal_silhouette()
    limited = [ld for ld in loads if ld.utilization is not None]
    unlimited = [ld for ld in loads if ld.utilization is None]
    outline = {"type": "scatter", "mode": "markers", "x": longitudes, "y": latitudes, "hoverinfo": "skip",
               "showlegend": False, "marker": {"size": 2, "color": "#d3d9de"}}
    load = _markers("load today ÷ daily capacity", limited, {
        "color": [min(ld.utilization or 0.0, 1.0) for ld in limited], "colorscale": LOAD_COLOURS, "cmin": 0,
        "cmax": 1, "colorbar": {"title": {"text": "load"}, "tickformat": ".0%", "thickness": 12}})
    free = _markers("no capacity limit", unlimited, {"color": NO_LIMIT})
    axis = {"showgrid": False, "zeroline": False, "showticklabels": False}
    return {"data": [outline, load, free], "layout": {
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10}, "hovermode": "closest", "plot_bgcolor": "#fff",
        "legend": {"orientation": "h", "y": -0.02},
        "xaxis": axis, "yaxis": {**axis, "scaleanchor": "x", "scaleratio": 1 / math.cos(math.radians(MEAN_LATITUDE))},
    }}


def _page(loads: list[LocationLoad], after: str | None) -> tuple[list[LocationLoad], str | None]:
    rest = [ld for ld in loads if after is None or ld.location.code > after]
    shown = rest[:PAGE_SIZE]
    return shown, shown[-1].location.code if len(rest) > PAGE_SIZE else None


def _network_page(request: Request, uow: Uow, session: ConsoleSession, after: str | None = None,
                  status_code: int = 200, error: str | None = None, done: str | None = None) -> Response:
    principal = session.user.principal
    if principal.role is Role.STORE:
        return render(request, "error.html", session, 403, title="Head office only",
                      message="The network page is for admins and operators; your store's tasks are yours.")
    loads = network_load(uow, principal, datetime.now(UTC))
    shown, next_after = _page(loads, after)
    can_switch = Permission.NETWORK_WRITE in GRANTS[principal.role]
    return render(request, "network.html", session, status_code, loads=shown, next_after=next_after,
                  after=after or "", chart=json.dumps(network_map(loads)), can_switch=can_switch,
                  load_text=load_text, error=error, done=done,
                  counts={"locations": len(loads),
                          "switched off": sum(not ld.location.fulfillment_enabled for ld in loads)})


@router.get("/network")
def network_page(request: Request, uow: Uow, session: Person, after: str | None = None,
                 done: str | None = None) -> Response:
    return _network_page(request, uow, session, after, done=done)


@router.post("/network/{code}/fulfillment")
def switch(request: Request, uow: Uow, session: CheckedPerson, code: str,
           enabled: Annotated[str, Form(max_length=5)] = "",
           after: Annotated[str, Form(max_length=64)] = "") -> Response:
    """On or off, through the same use case as the API's PATCH; then back to the same page of the table."""
    if enabled not in ("true", "false"):
        return _network_page(request, uow, session, after or None, 422, error="enabled must be true or false")
    try:
        switch_fulfillment(uow, code, enabled == "true", session.user.principal, datetime.now(UTC))
    except Forbidden:
        return render(request, "error.html", session, 403, title="Admins only",
                      message="Switching a location's fulfillment on or off is an admin's change.")
    except DomainError as refused:
        status = 404 if isinstance(refused, NotFound) else 422 if isinstance(refused, InvalidInput) else 409
        return _network_page(request, uow, session, after or None, status, error=refused.message)
    state = "on" if enabled == "true" else "off"
    query = {"done": f"{code} {state}", **({"after": after} if after else {})}
    return RedirectResponse(f"/network?{urlencode(query)}", status_code=303)
