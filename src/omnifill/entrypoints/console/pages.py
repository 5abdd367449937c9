"""The console's pages. Each reads through the services, as the API does, with the signed-in person's role."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from omnifill.domain.access import Role
from omnifill.domain.errors import Forbidden
from omnifill.domain.kpi_report import KpiGroupBy
from omnifill.domain.users import ConsoleSession
from omnifill.entrypoints.api.auth import Uow
from omnifill.entrypoints.console.session import (
    SESSION_COOKIE,
    SIGN_IN_CSRF_COOKIE,
    CheckedPerson,
    Person,
    set_cookie,
)
from omnifill.services.fulfillment import location_tasks
from omnifill.services.kpis import KpiReport, kpi_reports, period
from omnifill.services.operations import open_work, orders_by_channel
from omnifill.services.users import sign_in, sign_out

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def render(request: Request, template: str, session: ConsoleSession | None, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {"session": session, **context}, status_code=status_code)


def _home(session: ConsoleSession) -> str:
    principal = session.user.principal
    return f"/stores/{principal.scope}" if principal.role is Role.STORE else "/"


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never `//evil.example` or `https://…` (an open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", None, csrf_token=token, next=_safe_next(next) or "")
    set_cookie(response, request, SIGN_IN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.post("/login")
def login(
    request: Request, uow: Uow, username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "", csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    expected = request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected.encode(), csrf_token.encode()):
        return render(request, "login.html", None, 403, csrf_token=expected, next=_safe_next(next) or "",
                      error="This sign-in form has expired; please try again.")
    lifetime = timedelta(hours=request.app.state.settings.console_session_hours)
    opened = sign_in(uow, username, password, datetime.now(UTC), lifetime)
    if opened is None:
        return render(request, "login.html", None, 401, csrf_token=expected, next=_safe_next(next) or "",
                      username=username, error="Wrong username or password.")
    token, session = opened
    response = RedirectResponse(_safe_next(next) or _home(session), status_code=303)
    set_cookie(response, request, SESSION_COOKIE, token, max_age=int(lifetime.total_seconds()))
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, uow: Uow, session: CheckedPerson) -> Response:
    sign_out(uow, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


PERIODS = (7, 14, 30)  # the overview's choice of days
# The tiles: (KPI, label, how it is shown). A KPI with nothing to count shows "—".
TILES = (("perfect_order_rate", "Perfect orders", "percent"), ("unit_fill_rate", "Unit fill rate", "percent"),
         ("on_time_delivery_rate", "On time", "percent"), ("split_shipment_rate", "Split shipments", "percent"),
         ("cost_per_order", "Cost per order", "money"), ("click_to_ship_hours_p50", "Click to ship, p50", "hours"),
         ("return_rate", "Return rate", "percent"), ("inventory_turnover", "Inventory turnover", "times"))


@router.get("/")
def overview(request: Request, uow: Uow, session: Person, days: str = "7") -> Response:
    principal = session.user.principal
    if principal.role is Role.STORE:
        return RedirectResponse(_home(session), status_code=303)
    chosen = int(days) if days.isdecimal() and int(days) in PERIODS else PERIODS[0]  # anything else: a week
    end = datetime.now(UTC).date()
    start = end - timedelta(days=chosen - 1)
    by_day, by_method = kpi_reports(uow, start, end, [KpiGroupBy.DAY, KpiGroupBy.FULFILLMENT_METHOD], principal)
    since, until = period(start, end)
    channels = orders_by_channel(uow, principal, since, until)
    return render(request, "overview.html", session, days=chosen, periods=PERIODS, work=open_work(uow, principal),
                  tiles=[(label, _shown(by_day.totals.get(kpi), kind)) for kpi, label, kind in TILES],
                  trend=_trend_chart(by_day), channels=_bar_chart(channels, "Orders by channel"),
                  methods=_bar_chart({str(g.key): int(g.kpis["orders"] or 0) for g in by_method.groups
                                      if g.key is not None}, "Orders by fulfillment method"))


def _shown(value: float | int | None, kind: str) -> str:
    if value is None:
        return "—"
    return {"percent": f"{value:.1%}", "money": f"{value:,.2f}", "hours": f"{value:.1f} h",
            "times": f"{value:.2f}×" if value >= 0.1 else f"{value:.2g}×"}[kind]


def _trend_chart(report: KpiReport) -> dict[str, Any]:
    """Orders a day as bars, the perfect order rate as a line on its own axis; every day of the period shown."""
    days = [(report.start + timedelta(days=n)).isoformat() for n in range((report.end - report.start).days + 1)]
    kpis = {g.key: g.kpis for g in report.groups}
    return {"data": [
        {"type": "bar", "name": "orders", "x": days, "y": [kpis.get(d, {}).get("orders", 0) for d in days],
         "marker": {"color": "#9cc3d5"}},
        {"type": "scatter", "mode": "lines+markers", "name": "perfect order rate", "x": days, "yaxis": "y2",
         "y": [kpis.get(d, {}).get("perfect_order_rate") for d in days], "line": {"color": "#2f6f8f"}},
    ], "layout": {"title": {"text": "Orders and perfect order rate by day"}, "margin": {"t": 40, "b": 40},
                  "xaxis": {"type": "date", "tickformat": "%b %d", "dtick": 86_400_000},
                  "yaxis": {"title": {"text": "orders"}},
                  "yaxis2": {"overlaying": "y", "side": "right", "tickformat": ".0%", "range": [0, 1]},
                  "legend": {"orientation": "h"}}}


def _bar_chart(counts: dict[str, int], title: str) -> dict[str, Any]:
    return {"data": [{"type": "bar", "x": list(counts), "y": list(counts.values()), "marker": {"color": "#2f6f8f"}}],
            "layout": {"title": {"text": title}, "margin": {"t": 40, "b": 60}}}


@router.get("/stores/{code}")
def store_tasks(request: Request, uow: Uow, session: Person, code: str) -> Response:
    try:
        tasks = location_tasks(uow, code, session.user.principal)
        work = open_work(uow, session.user.principal, code)
    except Forbidden:
        return not_your_store(request, session, code)
    return render(request, "store.html", session, code=code, tasks=tasks, work=work)


def not_your_store(request: Request, session: ConsoleSession, code: str) -> HTMLResponse:
    return render(request, "error.html", session, 403, title="Not your store",
                  message=f"You work at {session.user.principal.scope}; {code}'s pages are not yours to open.")


@cache
def _plotly_bundle() -> bytes:
    return files("plotly").joinpath("package_data/plotly.min.js").read_bytes()


@router.get("/console/vendor/plotly.min.js")
def plotly_bundle() -> Response:
    """Plotly's bundle as the installed package ships it: charts need nothing from the internet."""
    return Response(_plotly_bundle(), media_type="text/javascript",
                    headers={"Cache-Control": "public, max-age=86400"})
