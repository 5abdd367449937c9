"""create_app(): the FastAPI application, its routes, its one error handler and its offline docs page."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine

import omnifill
from omnifill.adapters.sql.engine import make_engine
from omnifill.config import Settings
from omnifill.entrypoints.api.auth import KeyCache
from omnifill.entrypoints.api.errors import RefuseNulBytes, install_error_handlers
from omnifill.entrypoints.api.routes import availability, catalog, fulfillments, inventory, network, orders, routing
from omnifill.entrypoints.api.schemas import ErrorOut
from omnifill.services.promising import StockSnapshot

DESCRIPTION = """One inventory ledger across every location, and order intake that never oversells.

Every `/v1` call needs `Authorization: Bearer <key>`; create keys with `omnifill keys create --role ROLE`.
Errors always read `{"error": {"code", "message", "details"}}`."""


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPIOffline(
        title="omnifill", version=omnifill.__version__, description=DESCRIPTION,
        responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url, pool_size=settings.pool_size)
    app.state.key_cache = KeyCache(settings.api_key_cache_seconds)
    app.state.stock_snapshot = StockSnapshot(settings.availability_cache_seconds)
    install_error_handlers(app)
    app.add_middleware(RefuseNulBytes)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    for module in (catalog, network, inventory, orders, fulfillments, routing, availability):
        app.include_router(module.router)
    return app
