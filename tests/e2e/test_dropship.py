"""Dropship over HTTP: a vendor feeds its stock, sees its purchase orders, acknowledges and ships, or rejects."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.e2e.conftest import (
    NYC,
    Headers,
    Keys,
    Network,
    act,
    balance,
    created,
    error_of,
    ledger_and_balances,
    location_body,
    order_body,
    sku_body,
)
from tests.factories import ZIP

VENDOR, DROP = "DV-ACME", "DROP-LAMP"


@pytest.fixture
def vendor(api: TestClient, network: Network, admin: Headers, keys: Keys) -> Headers:
    """A dropship vendor in Newark carrying one SKU nobody else has; its own key."""
    created(api.post("/v1/locations", headers=admin, json=location_body(
        VENDOR, ZIP["NYC"], kind="dropship_vendor", capabilities=["ship"])))
    created(api.post("/v1/skus", headers=admin, json=sku_body(DROP)))
    return keys(f"vendor:{VENDOR}")


def test_a_vendor_feeds_stock_acknowledges_and_ships_its_purchase_order(
    api: TestClient, vendor: Headers, web_channel: Headers, nyc_store: Headers, engine: Engine,
) -> None:
    fed = api.post(f"/v1/vendors/{VENDOR}/inventory", headers=vendor, json={"items": [{"sku": DROP, "on_hand": 5}]})
    assert fed.status_code == 200, fed.text
    assert [(b["sku"], b["on_hand"]) for b in fed.json()] == [(DROP, 5)]
    order = created(api.post("/v1/orders", headers=web_channel, json=order_body("1001", {DROP: 2})))
    [po] = order["fulfillments"]
    assert po["location"] == VENDOR

    listed = api.get("/v1/purchase-orders", headers=vendor).json()["items"]
    assert [(p["id"], p["status"]) for p in listed] == [(po["id"], "pending")]
    detail = api.get(f"/v1/purchase-orders/{po['id']}", headers=vendor).json()
    assert (detail["ship_to"]["postal_code"], detail["customer_name"]) == (ZIP["NYC"], "Pat Lee")
    error_of(api.get(f"/v1/purchase-orders/{po['id']}", headers=nyc_store), 403, "forbidden")
    error_of(api.get("/v1/purchase-orders", headers=vendor, params={"vendor": NYC}), 403, "forbidden")

    act(api, vendor, f"/v1/purchase-orders/{po['id']}/acknowledge")
    shipped = act(api, vendor, f"/v1/purchase-orders/{po['id']}/ship",
                  {"carrier": "ups", "tracking_number": "1Z999AA10123456784"})

    assert shipped["status"] == "shipped"
    tracked = api.get(f"/v1/purchase-orders/{po['id']}", headers=vendor).json()
    assert (tracked["status"], tracked["carrier"], tracked["tracking_number"]) == (
        "shipped", "ups", "1Z999AA10123456784")
    assert balance(api, vendor, DROP, VENDOR) == {"on_hand": 3, "reserved": 0, "safety_stock": 0, "available": 3}
    ledger, balances = ledger_and_balances(engine)
    assert ledger == balances
    details = error_of(api.post(f"/v1/purchase-orders/{po['id']}/acknowledge", headers=vendor), 409,
                       "invalid_transition")
    assert details["current_status"] == "shipped"


def test_a_full_feed_counts_what_it_leaves_out_as_zero(api: TestClient, vendor: Headers, admin: Headers) -> None:
    act(api, admin, f"/v1/vendors/{VENDOR}/inventory", {"items": [{"sku": DROP, "on_hand": 5}]})

    fed = api.post(f"/v1/vendors/{VENDOR}/inventory", headers=vendor, json={"items": []})

    assert [(b["sku"], b["on_hand"]) for b in fed.json()] == [(DROP, 0)]
    error_of(api.post(f"/v1/vendors/{NYC}/inventory", headers=admin, json={"items": []}), 422, "invalid_input")
    error_of(api.post(f"/v1/vendors/{NYC}/inventory", headers=vendor, json={"items": []}), 403, "forbidden")


def test_a_rejected_purchase_order_is_routed_again_or_backordered(
    api: TestClient, vendor: Headers, web_channel: Headers, admin: Headers,
) -> None:
    act(api, vendor, f"/v1/vendors/{VENDOR}/inventory", {"items": [{"sku": DROP, "on_hand": 5}]})
    order = created(api.post("/v1/orders", headers=web_channel, json=order_body("1001", {DROP: 1})))
    po = order["fulfillments"][0]["id"]

    rejected = act(api, vendor, f"/v1/purchase-orders/{po}/reject", {"reason": "damaged"})

    assert rejected["status"] == "backordered"  # nobody else carries it
    assert [b["sku"] for b in api.get("/v1/routing/backorders", headers=admin).json()["items"]] == [DROP]
    assert balance(api, vendor, DROP, VENDOR)["reserved"] == 0


def test_work_that_is_not_at_a_vendor_is_no_purchase_order(
    api: TestClient, vendor: Headers, web_channel: Headers, admin: Headers,
) -> None:
    order = created(api.post("/v1/orders", headers=web_channel, json=order_body("1001", {"TEE-BLK-M": 1})))

    error_of(api.post(f"/v1/purchase-orders/{order['fulfillments'][0]['id']}/acknowledge", headers=admin),
             404, "not_found")
