"""The last units under fire: many clients, several server processes, one database; nobody oversells.

A real uvicorn with several workers (three processes on one SQLite file; two on PostgreSQL) serves 32 clients,
each on its own keep-alive connection, released together by a barrier to order the same scarce SKU.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from tests.e2e.conftest import (
    NYC,
    TEE,
    Headers,
    Keys,
    balance,
    created,
    error_of,
    ledger_and_balances,
    list_all,
    location_body,
    movement_body,
    movement_totals,
    order_body,
    sku_body,
)
from tests.factories import ZIP

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]
CLIENTS = 32


def seed_one_scarce_sku(base_url: str, admin: Headers, units: int) -> None:
    """One SKU with exactly `units` at one store, and a second store that holds none of it."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        created(client.post("/v1/locations", headers=admin, json=location_body(NYC, ZIP["NYC"])))
        created(client.post("/v1/locations", headers=admin, json=location_body("ST-PHL", ZIP["PHL"])))
        created(client.post("/v1/skus", headers=admin, json=sku_body(TEE)))
        created(client.post("/v1/inventory/movements", headers=admin, json=movement_body(TEE, NYC, "receipt", units)))


def order_all_at_once(base_url: str, headers: Headers, units_each: int) -> list[httpx.Response]:
    """CLIENTS threads, each with its own connected client, POST one order each at the same moment."""
    barrier = threading.Barrier(CLIENTS)
    responses: list[Any] = [None] * CLIENTS

    def client(index: int) -> None:
        with httpx.Client(base_url=base_url, headers=headers, timeout=120) as http:
            http.get("/health").raise_for_status()  # open the keep-alive connection before the start
            barrier.wait(timeout=60)
            responses[index] = http.post("/v1/orders", json=order_body(f"race-{index:02d}", {TEE: units_each}))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert all(isinstance(r, httpx.Response) for r in responses), "a client thread did not finish"
    return responses


@pytest.mark.parametrize(
    ("stock", "units_each", "winners"),
    [pytest.param(10, 1, 10, id="10-units-1-each"), pytest.param(9, 2, 4, id="9-units-2-each")],
)
def test_concurrent_orders_take_exactly_the_units_there_are(
    live_server: str, keys: Keys, engine: Engine, stock: int, units_each: int, winners: int
) -> None:
    # given: `stock` units of one SKU at one store, on a server with several worker processes
    admin = keys("admin")
    seed_one_scarce_sku(live_server, admin, stock)

    # when: 32 clients order `units_each` each, all at once
    responses = order_all_at_once(live_server, keys("channel:web"), units_each)

    # then: exactly as many orders as the stock covers are taken; every other one is refused as short
    statuses = sorted(r.status_code for r in responses)
    failures = [r.text for r in responses if r.status_code >= 500]
    assert statuses == [201] * winners + [409] * (CLIENTS - winners), failures
    for refused in (r for r in responses if r.status_code == 409):
        error_of(refused, 409, "insufficient_stock")
    taken = [r.json() for r in responses if r.status_code == 201]
    assert {o["fulfillments"][0]["location"] for o in taken} == {NYC}
    assert all(o["fulfillments"][0]["lines"] == [{"sku": TEE, "quantity": units_each}] for o in taken)

    # and: the balance holds every won unit reserved and never more than there is
    with httpx.Client(base_url=live_server, timeout=30) as client:
        assert balance(client, admin, TEE, NYC) == {
            "on_hand": stock, "reserved": winners * units_each, "safety_stock": 0,
            "available": stock - winners * units_each,
        }
        listed = list_all(client, admin, "/v1/orders", limit=7)
    assert sorted(o["id"] for o in listed) == sorted(o["id"] for o in taken)

    # and: the ledger holds one reservation per winner, and sums to the balances
    assert movement_totals(engine) == {"receipt": (1, stock), "reservation": (winners, winners * units_each)}
    sums, balances = ledger_and_balances(engine)
    assert sums == balances
