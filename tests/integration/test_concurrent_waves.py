"""Warehouse work racing on every backend: two waves never take the same fulfillment, and two put-aways never
place more than is on hand."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from omnifill.adapters.sql.tables import pick_wave_fulfillments
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.bins import Bin
from omnifill.domain.locations import Capability, LocationKind
from omnifill.services.bins import create_bin, put_away, stock_in_bins
from omnifill.services.fulfillment import advance, list_fulfillments
from omnifill.services.orders import place_order
from omnifill.services.picking import start_pick_wave
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, receive, ship_order
from tests.integration.test_concurrent_reservations import outcomes, race

ADMIN = Principal.parse("admin")


def warehouse(engine: Engine, orders: int) -> list[str]:
    """A Chicago warehouse holding 100 of TEE in two bins, and `orders` accepted orders there."""
    uow = UnitOfWork(engine)
    add_sku(uow, NOW, "TEE")
    add_location(uow, NOW, "CHI", ZIP["CHI"], kind=LocationKind.WAREHOUSE, capabilities=frozenset({Capability.SHIP}))
    receive(uow, NOW, "TEE", "CHI", 100)
    work = []
    for i in range(orders):
        order = place_order(uow, ship_order(f"W-{i}", {"TEE": 1}, ZIP["CHI"]), "channel:web", NOW).order
        assert order is not None
        work.append(order.fulfillments[0].id)
        advance(uow, work[-1], "accept", ADMIN, NOW)
    return work


def test_two_waves_started_at_once_never_take_the_same_fulfillment(engine: Engine) -> None:
    work = warehouse(engine, 12)

    results = race(engine, 4, lambda uow, i: start_pick_wave(uow, "CHI", ADMIN, NOW, max_orders=5))

    waves = [r for r in results if isinstance(r, dict)]
    assert set(outcomes(results)) <= {"dict", "NoWorkWaiting"}
    taken = [f["fulfillment_id"] for wave in waves for f in wave["fulfillments"]]
    assert len(taken) == len(set(taken)) == 12  # 5 + 5 + 2, each in one wave only
    assert sorted(taken) == sorted(work)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(pick_wave_fulfillments)).scalar_one() == 12
    statuses = {f.status for _, f in list_fulfillments(UnitOfWork(engine), ADMIN, "CHI", None, None, 100)}
    assert {str(s) for s in statuses} == {"picking"}


def test_racing_put_aways_never_place_more_than_is_on_hand(engine: Engine) -> None:
    warehouse(engine, 0)
    uow = UnitOfWork(engine)
    for code in ("A", "B", "C", "D"):
        create_bin(uow, "CHI", Bin(code, "Z", 1, ord(code)), ADMIN, NOW)

    results = race(engine, 4, lambda uow, i: put_away(uow, "CHI", "ABCD"[i], "TEE", 40, ADMIN, NOW))

    assert outcomes(results) == {"PutAway": 2, "InvalidInput": 2}
    assert sum(p.quantity for p in stock_in_bins(UnitOfWork(engine), "CHI", ADMIN)) == 80
