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
from omnifill.adapters.return_policy import load_return_policy
from omnifill.adapters.sql.engine import make_engine
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.config import Settings
from omnifill.entrypoints.api.auth import KeyCache
from omnifill.entrypoints.api.errors import RefuseNulBytes, install_error_handlers
from omnifill.entrypoints.api.routes import (
    availability,
    catalog,
    channels,
    customers,
    fulfillments,
    inventory,
    kpis,
    network,
    orders,
    pos,
    purchase_orders,
    returns,
    routing,
    shipments,
    warehouse,
)
from omnifill.entrypoints.api.routes import events as event_stream
from omnifill.entrypoints.api.routes import webhooks as webhook_subscriptions
from omnifill.entrypoints.api.schemas import ErrorOut
from omnifill.entrypoints.configured import event_outlets_from, messaging_from, timers_from
from omnifill.entrypoints.console import install_console
from omnifill.entrypoints.process import settle_start_up_heap
from omnifill.services.event_relay import move_events
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
    app.state.return_policy = load_return_policy(settings.return_policy_file)  # a bad file stops the start
    install_error_handlers(app)
    app.add_middleware(RefuseNulBytes)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    for module in (catalog, network, warehouse, inventory, orders, fulfillments, purchase_orders, shipments,
                   routing, availability, event_stream, webhook_subscriptions, channels, returns):
        app.include_router(module.router)
    for module in (pos, customers):
        app.include_router(module.router)
    app.include_router(kpis.router)
    install_console(app)
    return app


@asynccontextmanager
async def _run_timers_while_serving(app: FastAPI) -> AsyncIterator[None]:
    """Expiries and SLAs run in a thread of each worker while it serves (every `timers_every_seconds`), and so
    does the event relay with webhook deliveries (every `events_every_seconds`). First, the worker settles what
    start-up built out of the garbage collector's way."""
    settle_start_up_heap()
    settings: Settings = app.state.settings
    stop = threading.Event()
    worker = None
    if settings.timers_every_seconds > 0:
        worker = threading.Thread(target=_timers, args=(app, stop), name="omnifill-timers", daemon=True)
        worker.start()
    relay = None
    if settings.events_every_seconds > 0:
        relay = threading.Thread(target=_events, args=(app, stop), name="omnifill-events", daemon=True)
        relay.start()
    try:
        yield
    finally:
        stop.set()
        if worker is not None:
            worker.join(timeout=10)
        if relay is not None:
            relay.join(timeout=30)


def _timers(app: FastAPI, stop: threading.Event) -> None:
    settings: Settings = app.state.settings
    timing = timers_from(settings)
    while not stop.wait(settings.timers_every_seconds):
        try:
            run_timers(UnitOfWork(app.state.engine), datetime.now(UTC), timing, app.state.messaging.notifier)
        except Exception:  # a failed round must not stop the next one; it is logged and retried
            logging.getLogger("omnifill.timers").exception("timers failed; retrying next round")


def _events(app: FastAPI, stop: threading.Event) -> None:
    """The event relay and webhook deliveries (docs/EVENTS.md), every `events_every_seconds` in each worker."""
    settings: Settings = app.state.settings
    outlets = event_outlets_from(settings)
    try:
        while not stop.wait(settings.events_every_seconds):
            try:
                move_events(UnitOfWork(app.state.engine), outlets, datetime.now(UTC))
            except Exception:  # a broker or database hiccup must not stop the next pass; it is logged and retried
                logging.getLogger("omnifill.events").exception("event relay failed; retrying next pass")
    finally:
        outlets.close()
