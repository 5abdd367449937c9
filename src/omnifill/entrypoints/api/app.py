"""create_app(): the FastAPI application, its routes, its one error handler and its offline docs page."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine

import omnifill
from omnifill.adapters.carriers import load_carriers
from omnifill.adapters.cartons import load_carton_sizes
from omnifill.adapters.sql.engine import make_engine
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.config import Settings
from omnifill.entrypoints.api.auth import KeyCache
from omnifill.entrypoints.api.errors import RefuseNulBytes, install_error_handlers
from omnifill.entrypoints.api.routes import (
    availability,
    catalog,
    customers,
    fulfillments,
    inventory,
    network,
    orders,
    pos,
    purchase_orders,
    routing,
    shipments,
    warehouse,
)
from omnifill.entrypoints.api.schemas import ErrorOut
from omnifill.entrypoints.configured import messaging_from, timers_from
from omnifill.services.promising import StockSnapshot
from omnifill.services.timers import run_timers

DESCRIPTION = """One inventory ledger across every location, and order intake that never oversells.

Every `/v1` call needs `Authorization: Bearer <key>`; create keys with `omnifill keys create --role ROLE`.
Errors always read `{"error": {"code", "message", "details"}}`."""


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPIOffline(
        title="omnifill", version=omnifill.__version__, description=DESCRIPTION,
        responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
        lifespan=_run_timers_while_serving,
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url, pool_size=settings.pool_size)
    app.state.key_cache = KeyCache(settings.api_key_cache_seconds)
    app.state.stock_snapshot = StockSnapshot(settings.availability_cache_seconds)
    app.state.carton_sizes = load_carton_sizes(settings.cartons_file)  # a bad file stops the start, not a pack
    app.state.carriers = load_carriers(settings.carrier_cards)
    app.state.messaging = messaging_from(settings)
    install_error_handlers(app)
    app.add_middleware(RefuseNulBytes)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    for module in (catalog, network, warehouse, inventory, orders, fulfillments, purchase_orders, shipments,
                   routing, availability):
        app.include_router(module.router)
    for module in (pos, customers):
        app.include_router(module.router)
    return app


@asynccontextmanager
async def _run_timers_while_serving(app: FastAPI) -> AsyncIterator[None]:
    """Expiries and SLAs run in a thread of each worker while it serves (every `timers_every_seconds`)."""
    settings: Settings = app.state.settings
    stop = threading.Event()
    worker = None
    if settings.timers_every_seconds > 0:
        worker = threading.Thread(target=_timers, args=(app, stop), name="omnifill-timers", daemon=True)
        worker.start()
    try:
        yield
    finally:
        stop.set()
        if worker is not None:
            worker.join(timeout=10)


def _timers(app: FastAPI, stop: threading.Event) -> None:
    settings: Settings = app.state.settings
    timing = timers_from(settings)
    while not stop.wait(settings.timers_every_seconds):
        try:
            run_timers(UnitOfWork(app.state.engine), datetime.now(UTC), timing, app.state.messaging.notifier)
        except Exception:  # a failed round must not stop the next one; it is logged and retried
            logging.getLogger("omnifill.timers").exception("timers failed; retrying next round")
