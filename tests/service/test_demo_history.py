"""The demo's history on the real adapters, on SQLite and PostgreSQL: a few days of orders across channels that
went the whole way (delivered, picked up, brought back) through the real use cases, and a ledger that adds up."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from omnifill.adapters.sql.tables import orders, pos_transactions, return_authorizations
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.services.demo import seed_demo
from omnifill.services.demo_history import HistorySize
from tests.conftest import NOW
from tests.e2e.conftest import ledger_and_balances

SMALL = HistorySize(days=4, orders_per_day=14, till_sales_per_day=3, cancel_rate=0.1, return_rate=0.5)


def test_a_small_demo_trades_for_days_across_channels_and_its_ledger_equals_the_balances(uow: UnitOfWork) -> None:
    counts = seed_demo(uow, NOW, SMALL, sku_count=30)

    with uow.engine.connect() as connection:
        placed = connection.execute(select(orders.c.channel, orders.c.status, orders.c.created_at)).all()
        till_sales = connection.execute(select(func.count()).select_from(pos_transactions)).scalar_one()
        returned = connection.execute(select(return_authorizations.c.status, return_authorizations.c.method)).all()
    statuses = Counter(status for _, status, _ in placed)
    assert len(placed) == counts["orders"] >= 40
    assert {channel for channel, _, _ in placed} == {"web", "app", "amazon"}
    assert len({created.date() for _, _, created in placed}) >= 4
    assert all(NOW - timedelta(days=5) < created.replace(tzinfo=NOW.tzinfo) <= NOW for _, _, created in placed)
    assert statuses["delivered"] == counts["delivered"] > 0
    assert statuses["picked_up"] == counts["picked_up"] > 0
    assert statuses["cancelled"] == counts["cancelled"] > 0
    assert statuses["allocated"] > 0  # the newest orders are still open work
    assert till_sales == counts["till_sales"] == SMALL.days * SMALL.till_sales_per_day
    assert counts["returns"] == len(returned) > 0
    assert {(status, method) for status, method in returned} == {("received", "in_store")}
    sums, balances = ledger_and_balances(uow.engine)
    assert sums == balances


def test_the_same_seed_makes_the_same_history(uow: UnitOfWork, sqlite_uow: UnitOfWork) -> None:
    tiny = HistorySize(days=2, orders_per_day=6, till_sales_per_day=2)
    assert seed_demo(uow, NOW, tiny, sku_count=20) == seed_demo(sqlite_uow, NOW, tiny, sku_count=20)
