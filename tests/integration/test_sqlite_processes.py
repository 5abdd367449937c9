"""Several OS processes on one SQLite file, racing through the services for the same 10 units.

Threads share one engine; processes share nothing but the file, which is how `omnifill serve --workers N` runs.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from omnifill.adapters.sql.engine import make_engine
from omnifill.adapters.sql.migrate import upgrade_database
from omnifill.adapters.sql.tables import inventory_movements, orders
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.errors import InsufficientStock
from omnifill.services.inventory import list_balances
from omnifill.services.orders import place_order
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, pickup_order, receive

PROCESSES = 4
ORDERS_EACH = 8


def place_orders(url: str, worker: int, start: Barrier, results: Queue[Any]) -> None:
    """One process: its own engine, then ORDERS_EACH one-unit orders as fast as it can.

    Pickup orders, so that no process spends seconds loading the ZIP directory: the reservation is the same.
    """
    engine = make_engine(url)
    uow = UnitOfWork(engine)
    placed, short, other = 0, 0, []
    start.wait(timeout=60)
    for n in range(ORDERS_EACH):
        try:
            place_order(uow, pickup_order(f"P{worker}-{n}", {"TEE": 1}, "PHL"), f"process-{worker}", NOW)
            placed += 1
        except InsufficientStock:
            short += 1
        except Exception as error:  # reported to the parent, which fails the test
            other.append(repr(error))
    engine.dispose()
    results.put((worker, placed, short, other))


@pytest.mark.slow
@pytest.mark.xdist_group("servers")
def test_processes_racing_on_one_sqlite_file_place_exactly_10(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    engine = make_engine(url)
    upgrade_database(engine)
    uow = UnitOfWork(engine)
    add_sku(uow, NOW, "TEE")
    add_location(uow, NOW, "PHL", ZIP["PHL"])
    receive(uow, NOW, "TEE", "PHL", 10)

    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    results: Queue[Any] = context.Queue()
    workers = [context.Process(target=place_orders, args=(url, w, start, results)) for w in range(PROCESSES)]
    for process in workers:
        process.start()
    try:
        reports = sorted(results.get(timeout=90) for _ in workers)
        for process in workers:
            process.join(timeout=30)
    finally:
        for process in workers:
            if process.is_alive():
                process.kill()

    assert [p.exitcode for p in workers] == [0] * PROCESSES
    assert [other for *_, other in reports] == [[]] * PROCESSES
    assert sum(placed for _, placed, _, _ in reports) == 10
    assert sum(short for _, _, short, _ in reports) == PROCESSES * ORDERS_EACH - 10
    [balance], _ = list_balances(uow, "TEE", "PHL", None, 1)
    assert (balance.level.on_hand, balance.level.reserved) == (10, 10)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(orders)).scalar_one() == 10
        ledger = connection.execute(
            select(func.sum(inventory_movements.c.on_hand_delta), func.sum(inventory_movements.c.reserved_delta),
                   func.count())
        ).one()
    assert tuple(ledger) == (10, 10, 11)  # one receipt, ten reservations
    engine.dispose()
