"""Work handed back to routing, walked to the end over HTTP: a store's short pick, a vendor's rejected purchase order.

Each flow ends with the balances of every pair it touched, the ledger equal to the stored balances, and an
illegal move refused with a 409 naming the state the work is in.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.e2e.conftest import (
    NYC,
    PHL,
    TEE,
    Headers,
    Keys,
    Network,
    act,
    balance,
    created,
    error_of,
    ledger_and_balances,
    location_body,
    movement_body,
    movement_totals,
    order_body,
    sku_body,
)
from tests.factories import ZIP

VENDOR, LAMP = "DV-ACME", "DROP-LAMP"


def refused_in(api: TestClient, headers: Headers, path: str, status: str, body: Any = None) -> None:
    details = error_of(api.post(path, headers=headers, json=body), 409, "invalid_transition")
    assert details["current_status"] == status


def test_ship_from_store_with_a_short_pick_ships_the_rest_from_the_store_routing_chose_next(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, keys: Keys, engine: Engine,
) -> None:
    order = created(api.post("/v1/orders", headers=web_channel, json=order_body("1001", {TEE: 2})))
    [work] = order["fulfillments"]
    act(api, nyc_store, f"/v1/fulfillments/{work['id']}/accept")

    picked = act(api, nyc_store, f"/v1/fulfillments/{work['id']}/pick", {"lines": [{"sku": TEE, "picked": 1}]})

    rerouted = next(f for f in picked["fulfillments"] if f["id"] != work["id"])
    assert (rerouted["location"], rerouted["status"]) == (PHL, "pending")
    decisions = api.get(f"/v1/orders/{order['id']}/decisions", headers=keys("admin")).json()
    assert [d["kind"] for d in decisions] == ["initial", "reroute"]
    refused_in(api, nyc_store, f"/v1/fulfillments/{work['id']}/accept", "picked")
    phl_store = keys(f"store:{PHL}")
    for action in ("pack", "ship"):
        act(api, nyc_store, f"/v1/fulfillments/{work['id']}/{action}")
    for action in ("accept", "pick", "pack"):
        act(api, phl_store, f"/v1/fulfillments/{rerouted['id']}/{action}", {} if action == "pick" else None)
    done = act(api, phl_store, f"/v1/fulfillments/{rerouted['id']}/ship")

    assert done["status"] == "shipped"
    assert sorted((f["location"], f["status"]) for f in done["fulfillments"]) == [(NYC, "shipped"), (PHL, "shipped")]
    # New York: 5 - the unit not found (written off: it is not on the shelf) - the unit shipped.
    assert balance(api, nyc_store, TEE, NYC) == {"on_hand": 3, "reserved": 0, "safety_stock": 0, "available": 3}
    assert balance(api, phl_store, TEE, PHL) == {"on_hand": 2, "reserved": 0, "safety_stock": 0, "available": 2}
    totals = movement_totals(engine)
    assert (totals["shipment"], totals["adjustment"]) == ((2, 2), (1, -1))  # a shipment counts units out
    ledger, balances = ledger_and_balances(engine)
    assert ledger == balances
    refused_in(api, phl_store, f"/v1/fulfillments/{rerouted['id']}/ship", "shipped")


def test_a_purchase_order_the_vendor_rejects_is_shipped_by_the_store_that_also_carries_it(
    api: TestClient, network: Network, web_channel: Headers, admin: Headers, nyc_store: Headers, keys: Keys,
    engine: Engine,
) -> None:
    created(api.post("/v1/locations", headers=admin, json=location_body(
        VENDOR, ZIP["NYC"], kind="dropship_vendor", capabilities=["ship"])))
    created(api.post("/v1/skus", headers=admin, json=sku_body(LAMP)))
    vendor = keys(f"vendor:{VENDOR}")
    act(api, vendor, f"/v1/vendors/{VENDOR}/inventory", {"items": [{"sku": LAMP, "on_hand": 5}]})
    created(api.post("/v1/inventory/movements", headers=admin, json=movement_body(LAMP, PHL, "receipt", 2)))
    order = created(api.post("/v1/orders", headers=web_channel, json=order_body("1001", {LAMP: 1})))
    [po] = order["fulfillments"]
    assert po["location"] == VENDOR  # next door to the customer, and a vendor's fee is less than a store's pick

    rejected = act(api, vendor, f"/v1/purchase-orders/{po['id']}/reject", {"reason": "damaged"})

    [store_work] = [f for f in rejected["fulfillments"] if f["status"] == "pending"]
    assert store_work["location"] == PHL
    assert balance(api, vendor, LAMP, VENDOR) == {"on_hand": 5, "reserved": 0, "safety_stock": 0, "available": 5}
    refused_in(api, vendor, f"/v1/purchase-orders/{po['id']}/ship", "rejected",
               {"carrier": "ups", "tracking_number": "1Z999AA10123456784"})
    error_of(api.post(f"/v1/purchase-orders/{store_work['id']}/acknowledge", headers=vendor), 404, "not_found")
    phl_store = keys(f"store:{PHL}")
    for action in ("accept", "pick", "pack"):
        act(api, phl_store, f"/v1/fulfillments/{store_work['id']}/{action}", {} if action == "pick" else None)
    done = act(api, phl_store, f"/v1/fulfillments/{store_work['id']}/ship")

    assert done["status"] == "shipped"
    assert balance(api, phl_store, LAMP, PHL) == {"on_hand": 1, "reserved": 0, "safety_stock": 0, "available": 1}
    assert balance(api, nyc_store, TEE, NYC)["reserved"] == 0
    ledger, balances = ledger_and_balances(engine)
    assert ledger == balances
