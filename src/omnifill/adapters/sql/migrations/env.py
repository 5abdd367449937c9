"""Alembic environment: runs against the engine the caller hands over (see adapters/sql/migrate.py)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from omnifill.adapters.sql.engine import WRITE
from omnifill.adapters.sql.tables import metadata

engine: Engine = context.config.attributes["engine"]

with engine.connect().execution_options(**{WRITE: True}) as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
