"""The operations console: server-rendered pages on the same services as the API, for people who sign in.

Sessions live in a cookie holding a random token (HttpOnly, SameSite=Lax, Secure over HTTPS); the server keeps
only its hash. Every form that changes something carries the session's CSRF token; the sign-in form, which comes
before any session, uses a double-submit cookie instead. Nothing on a page is fetched from the internet: the
stylesheet and the chart library (Plotly's own bundle, from the installed `plotly` package) are served here.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from omnifill.entrypoints.console import (
    inventory_pages,
    network_pages,
    order_pages,
    pages,
    return_pages,
    routing_pages,
    store_pages,
)
from omnifill.entrypoints.console.session import SignInRequired, send_to_sign_in

STATIC = Path(__file__).parent / "static"


def install_console(app: FastAPI) -> None:
    app.include_router(pages.router)
    app.include_router(store_pages.router)
    app.include_router(network_pages.router)
    app.include_router(return_pages.router)
    app.include_router(order_pages.router)
    app.include_router(inventory_pages.router)
    app.include_router(routing_pages.router)
    app.add_exception_handler(SignInRequired, send_to_sign_in)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
