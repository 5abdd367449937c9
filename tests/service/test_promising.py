"""Storefront promises read stock from a snapshot at most `max_age_seconds` old, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.errors import InvalidInput
from omnifill.services.catalog import update_location
from omnifill.services.promising import StockSnapshot, check_availability
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, stock


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def shop(uow: UnitOfWork) -> UnitOfWork:
    """SKUs A, B and C, each with 2 units in Philadelphia; questions come from New York."""
    add_location(uow, NOW, "PHL", ZIP["PHL"])
    for sku in ("A", "B", "C"):
        add_sku(uow, NOW, sku)
        stock(uow, {(sku, "PHL"): 2})
    return uow


@pytest.fixture
def stock_reads(shop: UnitOfWork) -> Iterator[list[list[str]]]:
    """The SKUs each stock read the snapshot sent to the database asked for."""
    reads: list[list[str]] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if "inventory_levels" in statement and "opportunity_costs" in statement:
            values = parameters.values() if isinstance(parameters, dict) else parameters
            reads.append(sorted(v for v in values if isinstance(v, str)))

    event.listen(shop.engine, "before_cursor_execute", seen)
    yield reads
    event.remove(shop.engine, "before_cursor_execute", seen)


def ships_from(uow: UnitOfWork, snapshot: StockSnapshot, sku: str, units: int = 1) -> list[tuple[str, ...]]:
    found = check_availability(uow, snapshot, ZIP["NYC"], "US", {sku: units}, None, NOW)
    return [option.ships_from for option in found.delivery]


def test_a_promise_may_be_max_age_behind_the_stock_and_no_more(shop: UnitOfWork) -> None:
    clock = Clock()
    snapshot = StockSnapshot(1.0, clock)
    assert ships_from(shop, snapshot, "A", 3) == []  # 2 in stock

    stock(shop, {("A", "PHL"): 1})
    clock.now += 0.9
    assert ships_from(shop, snapshot, "A", 3) == []
    clock.now += 0.2
    assert ships_from(shop, snapshot, "A", 3) == [("PHL",), ("PHL",)]  # standard and express


def test_a_location_switched_off_stops_promising_within_max_age(shop: UnitOfWork) -> None:
    clock = Clock()
    snapshot = StockSnapshot(1.0, clock)
    assert ships_from(shop, snapshot, "A") == [("PHL",), ("PHL",)]

    update_location(shop, "PHL", {"fulfillment_enabled": False}, NOW)
    clock.now += 1.1
    assert ships_from(shop, snapshot, "A") == []


def test_the_busy_skus_are_read_again_together(shop: UnitOfWork, stock_reads: list[list[str]]) -> None:
    clock = Clock()
    snapshot = StockSnapshot(1.0, clock)
    for sku in ("A", "B", "C"):
        ships_from(shop, snapshot, sku)
    assert len(stock_reads) == 3
    clock.now += 0.6
    ships_from(shop, snapshot, "B")  # asked again since it was read: busy
    assert len(stock_reads) == 3

    clock.now += 0.5  # A is stale and B past half its age: one read brings both back; C was not asked since
    ships_from(shop, snapshot, "A")
    assert stock_reads[3] == ["A", "B"]
    ships_from(shop, snapshot, "B")
    assert len(stock_reads) == 4
    ships_from(shop, snapshot, "C")
    assert len(stock_reads) == 5


def test_an_unknown_sku_is_named_and_never_cached(shop: UnitOfWork, stock_reads: list[list[str]]) -> None:
    snapshot = StockSnapshot(1.0, Clock())
    for _ in range(2):
        with pytest.raises(InvalidInput) as refused:
            ships_from(shop, snapshot, "NOPE")
        assert refused.value.field == "lines[0].sku"
    assert stock_reads == [["NOPE"], ["NOPE"]]
