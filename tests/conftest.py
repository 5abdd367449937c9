"""Databases for the tests: SQLite always; PostgreSQL too when OMNIFILL_TEST_POSTGRES_URL is set.

Each pytest-xdist worker gets its own PostgreSQL schema, migrated once; every test starts from empty tables.
If the variable is set and the server cannot be reached, the tests fail rather than skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text

from omnifill.adapters.sql.engine import make_engine
from omnifill.adapters.sql.migrate import upgrade_database
from omnifill.adapters.sql.tables import metadata
from omnifill.adapters.sql.unit_of_work import UnitOfWork

POSTGRES_URL = os.environ.get("OMNIFILL_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> Iterator[str]:
    """A schema of our own in the test database, migrated to head; dropped at the end."""
    assert POSTGRES_URL, "OMNIFILL_TEST_POSTGRES_URL is not set"
    schema = f"test_{worker_id}"
    admin = make_engine(POSTGRES_URL, pool_size=1)
    with admin.begin() as connection:  # fails loudly if the server is unreachable
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    engine = make_engine(url, pool_size=2)
    upgrade_database(engine)
    engine.dispose()
    yield url
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _empty_tables(engine: Engine) -> None:
    names = ", ".join(t.name for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database on each backend; the URL lets a test start servers or processes on it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'omnifill.db'}"
        engine = make_engine(url)
        upgrade_database(engine)
        engine.dispose()
        return url
    postgres: str = request.getfixturevalue("postgres_url")
    engine = make_engine(postgres, pool_size=1)
    _empty_tables(engine)
    engine.dispose()
    return postgres


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url, pool_size=20)
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine: Engine) -> UnitOfWork:
    return UnitOfWork(engine)


@pytest.fixture
def sqlite_uow(tmp_path: Path) -> Iterator[UnitOfWork]:
    """Service tests: the real adapters on a throwaway SQLite file (fast, no server)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'service.db'}")
    upgrade_database(engine)
    yield UnitOfWork(engine)
    engine.dispose()
