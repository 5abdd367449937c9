"""The migrations and the live table definitions describe the same schema, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from omnifill.adapters.sql.tables import metadata


def test_migrations_build_exactly_the_declared_tables(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, metadata)
    assert differences == []
