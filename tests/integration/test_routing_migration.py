"""Migration 0002 on a database that already holds data: existing rows get the defaults, and it reverses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from omnifill.adapters.sql.engine import make_engine
from omnifill.adapters.sql.migrate import alembic_config, upgrade_database
from tests.conftest import BACKENDS, POSTGRES_URL

ROUTING_TABLES = {"routing_profiles", "routing_decisions", "backorders", "routing_waves", "opportunity_costs"}


@pytest.fixture(params=BACKENDS)
def blank_engine(request: pytest.FixtureRequest, tmp_path: Path, worker_id: str) -> Iterator[Engine]:
    """A database with no schema at all (PostgreSQL: a schema of this test's own)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrate.db'}")
        yield engine
        engine.dispose()
        return
    assert POSTGRES_URL
    schema = f"test_migration_{worker_id}"
    admin = make_engine(POSTGRES_URL, pool_size=1)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    engine = make_engine(f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}", pool_size=1)
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def seed_0001(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO locations (code, name, kind, latitude, longitude, postal_code, country, time_zone,"
            " capabilities, fulfillment_enabled, created_at, updated_at) VALUES ('ST-1', 'Store', 'store', 40.7,"
            " -74.0, '10001', 'US', 'America/New_York', '[\"ship\"]', true, '2026-11-25 15:00:00',"
            " '2026-11-25 15:00:00')"
        ))
        connection.execute(text(
            "INSERT INTO orders (id, channel, external_id, status, customer, delivery_method, created_at,"
            " updated_at) VALUES ('ord_1', 'web', 'W-1', 'allocated', '{}', 'ship', '2026-11-25 15:00:00',"
            " '2026-11-25 15:00:00')"
        ))
        connection.execute(text(
            "INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price) VALUES ('ord_1', 1, 'TEE', 1, 0)"
        ))


def test_existing_locations_ship_until_three_and_existing_orders_have_no_promise(blank_engine: Engine) -> None:
    upgrade_database(blank_engine, "0001")
    seed_0001(blank_engine)

    upgrade_database(blank_engine)

    with blank_engine.connect() as connection:
        cutoff = connection.execute(text("SELECT ship_cutoff FROM locations WHERE code = 'ST-1'")).scalar_one()
        order = connection.execute(text("SELECT promised_by, routing_profile FROM orders")).one()
    assert (cutoff, tuple(order)) == ("15:00", (None, None))
    assert set(inspect(blank_engine).get_table_names()) >= ROUTING_TABLES


def test_downgrading_to_0001_keeps_the_data_and_upgrading_again_works(blank_engine: Engine) -> None:
    upgrade_database(blank_engine, "0001")
    seed_0001(blank_engine)
    upgrade_database(blank_engine)

    command.downgrade(alembic_config(blank_engine), "0001")

    schema = inspect(blank_engine)
    assert not ROUTING_TABLES & set(schema.get_table_names())
    assert "ship_cutoff" not in {c["name"] for c in schema.get_columns("locations")}
    assert not {"promised_by", "routing_profile"} & {c["name"] for c in schema.get_columns("orders")}
    with blank_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM order_lines")).scalar_one() == 1
    upgrade_database(blank_engine)
