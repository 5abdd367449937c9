"""Every /v1 call is authenticated; a key acts within its role and scope, and a refusal changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.e2e.conftest import (
    CHI,
    MUG,
    NYC,
    PHL,
    TEE,
    Headers,
    Keys,
    Network,
    balance,
    created,
    error_of,
    list_all,
    location_body,
    movement_body,
    order_body,
    row_counts,
    sku_body,
)

# One call of every /v1 route: (method, path, body).
EVERY_ROUTE: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/v1/skus", None),
    ("POST", "/v1/skus", sku_body("NEW-SKU")),
    ("GET", f"/v1/skus/{TEE}", None),
    ("GET", "/v1/locations", None),
    ("POST", "/v1/locations", location_body("ST-NEW", "10001")),
    ("GET", f"/v1/locations/{NYC}", None),
    ("PATCH", f"/v1/locations/{NYC}", {"fulfillment_enabled": False}),
    ("POST", "/v1/inventory/movements", movement_body(TEE, NYC, "receipt", 1)),
    ("PUT", "/v1/inventory/safety-stock", {"sku": TEE, "location": NYC, "safety_stock": 1}),
    ("GET", "/v1/inventory", None),
    ("POST", "/v1/orders", order_body("A-1", {TEE: 1})),
    ("GET", "/v1/orders", None),
    ("GET", "/v1/orders/ord_0000000000000000000000000", None),
    ("POST", "/v1/orders/ord_0000000000000000000000000/cancel", None),
    ("GET", "/v1/routing/profiles", None),
    ("GET", "/v1/routing/profiles/default", None),
    ("PUT", "/v1/routing/profiles/same-day", {"max_packages": 1}),
    ("GET", "/v1/routing/backorders", None),
    ("GET", "/v1/orders/ord_0000000000000000000000000/decisions", None),
    ("POST", "/v1/fulfillments/ful_0000000000000000000000000/reject", {"reason": "other"}),
    ("POST", "/v1/fulfillments/ful_0000000000000000000000000/short-pick",
     {"lines": [{"sku": TEE, "picked": 0}], "reason": "bin empty"}),
    ("POST", "/v1/availability", {"postal_code": "10001", "lines": [{"sku": TEE, "quantity": 1}]}),
    ("POST", "/v1/routing/waves", {"time_limit_seconds": 1}),
    ("GET", "/v1/routing/waves/wave_0000000000000000000000000", None),
    ("POST", "/v1/routing/lookahead", {}),
    ("GET", "/v1/fulfillments", None),
    ("GET", "/v1/fulfillments/ful_0000000000000000000000000", None),
    ("POST", "/v1/fulfillments/ful_0000000000000000000000000/pick", {}),
    ("POST", "/v1/fulfillments/ful_0000000000000000000000000/ship", None),
    ("GET", "/v1/purchase-orders", None),
    ("POST", "/v1/purchase-orders/ful_0000000000000000000000000/ship",
     {"carrier": "ups", "tracking_number": "1Z999AA10123456784"}),
    ("POST", "/v1/vendors/DV-X/inventory", {"items": []}),
    ("GET", f"/v1/locations/{NYC}/tasks", None),
    ("GET", "/v1/shipments", None),
    ("GET", "/v1/shipments/shp_0000000000000000000000000", None),
    ("GET", "/v1/shipments/shp_0000000000000000000000000/label", None),
    ("POST", "/v1/shipments/shp_0000000000000000000000000/events", {"status": "in_transit"}),
    ("POST", "/v1/channels", {"code": "amazon-us", "kind": "amazon"}),
    ("GET", "/v1/channels", None),
    ("GET", "/v1/channels/amazon-us", None),
    ("PATCH", "/v1/channels/amazon-us", {"allocation": None}),
    ("POST", "/v1/channels/amazon-us/import", {"orders": {"payload": {"Orders": []}}, "items": {}}),
    ("GET", "/v1/channels/amazon-us/rejected", None),
    ("POST", "/v1/channels/amazon-us/rejected/rej_0000000000000000000000000/replay", None),
    ("GET", "/v1/channels/amazon-us/availability", None),
    ("POST", "/v1/returns", {"order_id": "ord_0000000000000000000000000", "method": "in_store",
                             "lines": [{"sku": TEE, "quantity": 1, "reason": "size_fit"}]}),
    ("GET", "/v1/returns", None),
    ("GET", "/v1/returns/rma_0000000000000000000000000", None),
    ("GET", "/v1/returns/rma_0000000000000000000000000/label", None),
    ("POST", "/v1/returns/rma_0000000000000000000000000/receive",
     {"location": NYC, "lines": [{"sku": TEE, "quantity": 1, "condition": "sellable"}]}),
    ("POST", "/v1/returns/rma_0000000000000000000000000/refund", {"method": "store_credit"}),
    ("POST", "/v1/returns/rma_0000000000000000000000000/exchange", {"exchange": [{"sku": TEE, "quantity": 1}]}),
    ("POST", "/v1/returns/rma_0000000000000000000000000/close", None),
    ("POST", "/v1/returns/rma_0000000000000000000000000/cancel", None),
    ("GET", "/v1/returns/dispositions", None),
    ("POST", "/v1/returns/dispositions/1/resolve", {"outcome": "dispose"}),
    ("GET", "/v1/returns/analytics?from=2026-11-01&to=2026-11-30&group_by=sku", None),
    ("POST", "/v1/pos/sales", {"transaction_id": "T-1", "occurred_at": "2026-11-25T09:00:00Z", "location": NYC,
                               "lines": [{"sku": TEE, "quantity": 1, "unit_price": "12.00"}]}),
    ("POST", "/v1/pos/sales/batch", {"location": NYC, "sales": [
        {"transaction_id": "T-1", "occurred_at": "2026-11-25T09:00:00Z",
         "lines": [{"sku": TEE, "quantity": 1, "unit_price": "12.00"}]}]}),
    ("POST", "/v1/pos/returns", {"transaction_id": "R-1", "occurred_at": "2026-11-25T09:00:00Z", "location": NYC,
                                 "lines": [{"sku": TEE, "quantity": 1}]}),
    ("GET", f"/v1/locations/{NYC}/pos-conflicts", None),
    ("GET", "/v1/customers?email=pat@example.com", None),
    ("GET", "/v1/customers/cus_0000000000000000000000000", None),
]
ROUTE_IDS = [f"{method} {path}" for method, path, _ in EVERY_ROUTE]


def call(api: TestClient, method: str, path: str, body: dict[str, Any] | None, headers: Headers) -> Any:
    return api.request(method, path, headers=headers, json=body)


@pytest.mark.parametrize(("method", "path", "body"), EVERY_ROUTE, ids=ROUTE_IDS)
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": "Bearer ofk_not-a-key-we-made"}, id="unknown-key"),
        pytest.param({"Authorization": "Bearer "}, id="empty-key"),
        pytest.param({"Authorization": "Basic YWRtaW46YWRtaW4="}, id="basic-scheme"),
        pytest.param({"Authorization": "ofk_without_scheme"}, id="no-scheme"),
    ],
)
def test_every_route_answers_401_without_a_valid_key_and_writes_nothing(
    api: TestClient, network: Network, engine: Engine, method: str, path: str, body: dict[str, Any] | None,
    headers: Headers,
) -> None:
    before = row_counts(engine)

    response = call(api, method, path, body, headers)

    error_of(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert row_counts(engine) == before


def test_health_needs_no_key(api: TestClient) -> None:
    assert api.get("/health").json() == {"status": "ok"}


# ------------------------------------------------------------------------------------------- roles


@pytest.mark.parametrize(
    ("role", "method", "path", "body"),
    [
        ("operator", "POST", "/v1/locations", location_body("ST-NEW", "10001")),
        ("operator", "PATCH", f"/v1/locations/{NYC}", {"fulfillment_enabled": False}),
        (f"store:{NYC}", "POST", "/v1/skus", sku_body("NEW-SKU")),
        (f"store:{NYC}", "PATCH", f"/v1/locations/{NYC}", {"fulfillment_enabled": False}),
        (f"store:{NYC}", "POST", "/v1/orders", order_body("S-1", {TEE: 1})),
        ("channel:web", "POST", "/v1/inventory/movements", movement_body(TEE, NYC, "receipt", 1)),
        ("channel:web", "GET", "/v1/inventory", None),
        ("channel:web", "POST", "/v1/skus", sku_body("NEW-SKU")),
        (f"store:{NYC}", "GET", "/v1/routing/profiles", None),
        (f"store:{NYC}", "PUT", "/v1/routing/profiles/same-day", {"max_packages": 1}),
        ("channel:web", "GET", "/v1/routing/profiles/default", None),
        ("channel:web", "PUT", "/v1/routing/profiles/same-day", {"max_packages": 1}),
        ("channel:web", "GET", "/v1/routing/backorders", None),
        ("channel:web", "POST", "/v1/fulfillments/ful_0000000000000000000000000/reject", {"reason": "other"}),
        (f"store:{NYC}", "GET", "/v1/routing/backorders", None),
        (f"store:{NYC}", "POST", "/v1/routing/waves", {"time_limit_seconds": 1}),
        ("channel:web", "POST", "/v1/routing/lookahead", {}),
        ("channel:web", "POST", "/v1/fulfillments/ful_0000000000000000000000000/accept", None),
        ("channel:web", "POST", "/v1/fulfillments/ful_0000000000000000000000000/pick", {}),
        ("channel:web", "POST", "/v1/vendors/DV-X/inventory", {"items": []}),
        ("vendor:DV-X", "POST", "/v1/orders", order_body("V-1", {TEE: 1})),
        ("vendor:DV-X", "GET", "/v1/routing/profiles", None),
        (f"store:{NYC}", "POST", "/v1/shipments/shp_0000000000000000000000000/events", {"status": "in_transit"}),
        ("channel:web", "POST", "/v1/shipments/shp_0000000000000000000000000/events", {"status": "delivered"}),
        ("vendor:DV-X", "POST", "/v1/shipments/shp_0000000000000000000000000/events", {"status": "delivered"}),
        ("carrier:groundline", "GET", "/v1/orders", None),
        ("carrier:groundline", "GET", "/v1/fulfillments", None),
        ("carrier:groundline", "POST", "/v1/fulfillments/ful_0000000000000000000000000/ship", None),
        ("carrier:groundline", "GET", "/v1/inventory", None),
        ("channel:web", "POST", "/v1/returns/rma_0000000000000000000000000/receive",
         {"location": NYC, "lines": [{"sku": TEE, "quantity": 1, "condition": "sellable"}]}),
        ("channel:web", "GET", "/v1/returns/dispositions", None),
        (f"store:{NYC}", "GET", "/v1/returns/analytics?from=2026-11-01&to=2026-11-30&group_by=sku", None),
        ("vendor:DV-X", "GET", "/v1/returns", None),
        ("carrier:groundline", "POST", "/v1/returns/rma_0000000000000000000000000/refund", {"method": "store_credit"}),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_role_without_the_permission_is_forbidden_and_writes_nothing(
    api: TestClient, network: Network, keys: Keys, engine: Engine, role: str, method: str, path: str,
    body: dict[str, Any] | None,
) -> None:
    headers = keys(role)
    before = row_counts(engine)

    response = call(api, method, path, body, headers)

    assert "permission" in error_of(response, 403, "forbidden")
    assert row_counts(engine) == before


def test_an_operator_runs_stock_and_orders_everywhere(api: TestClient, network: Network, operator: Headers) -> None:
    created(api.post("/v1/inventory/movements", headers=operator, json=movement_body(TEE, PHL, "receipt", 2)))
    created(api.post("/v1/orders", headers=operator, json=order_body("OP-1", {MUG: 1}, channel="app")))
    assert len(list_all(api, operator, "/v1/inventory")) == len(network.stock)


# ------------------------------------------------------------------------------------- store scope


def test_a_store_key_moves_stock_at_its_own_store(api: TestClient, network: Network, nyc_store: Headers) -> None:
    created(api.post("/v1/inventory/movements", headers=nyc_store, json=movement_body(TEE, NYC, "receipt", 4)))

    assert balance(api, nyc_store, TEE, NYC)["on_hand"] == network.stock[TEE, NYC] + 4


@pytest.mark.parametrize(
    ("method", "path", "body", "other"),
    [
        ("POST", "/v1/inventory/movements", movement_body(TEE, PHL, "receipt", 4), PHL),
        ("POST", "/v1/inventory/movements", movement_body(TEE, CHI, "adjustment", -1), CHI),
        ("PUT", "/v1/inventory/safety-stock", {"sku": TEE, "location": PHL, "safety_stock": 1}, PHL),
        ("GET", f"/v1/inventory?location={PHL}", None, PHL),
        ("GET", f"/v1/locations/{PHL}", None, PHL),
        ("GET", f"/v1/orders?location={PHL}", None, PHL),
        ("GET", f"/v1/fulfillments?location={PHL}", None, PHL),
    ],
    ids=["receipt-at-PHL", "adjustment-at-CHI", "safety-stock-at-PHL", "stock-of-PHL", "location-PHL",
         "orders-of-PHL", "fulfillments-of-PHL"],
)
def test_a_store_key_trying_another_store_is_forbidden_and_writes_nothing(
    api: TestClient, network: Network, nyc_store: Headers, engine: Engine, method: str, path: str,
    body: dict[str, Any] | None, other: str,
) -> None:
    before = row_counts(engine)

    response = call(api, method, path, body, nyc_store)

    assert error_of(response, 403, "forbidden")["location"] == other
    assert row_counts(engine) == before


def test_a_store_key_sees_only_its_own_store_in_lists(api: TestClient, network: Network, nyc_store: Headers) -> None:
    stock = list_all(api, nyc_store, "/v1/inventory")
    locations = list_all(api, nyc_store, "/v1/locations")

    assert {b["location"] for b in stock} == {NYC}
    assert [loc["code"] for loc in locations] == [NYC]


def test_a_store_key_reads_the_orders_its_store_fulfills_and_no_other(
    api: TestClient, network: Network, admin: Headers, nyc_store: Headers
) -> None:
    at_nyc = created(api.post("/v1/orders", headers=admin, json=order_body("N-1", {MUG: 1}, pickup=NYC)))
    at_phl = created(api.post("/v1/orders", headers=admin, json=order_body("P-1", {TEE: 1}, pickup=PHL)))

    assert api.get(f"/v1/orders/{at_nyc['id']}", headers=nyc_store).status_code == 200
    error_of(api.get(f"/v1/orders/{at_phl['id']}", headers=nyc_store), 403, "forbidden")
    assert [o["id"] for o in list_all(api, nyc_store, "/v1/orders")] == [at_nyc["id"]]


# ----------------------------------------------------------------------------------- channel scope


def test_a_channel_key_places_and_reads_its_own_channel_only(
    api: TestClient, network: Network, engine: Engine, web_channel: Headers, app_channel: Headers
) -> None:
    web_order = created(api.post("/v1/orders", headers=web_channel, json=order_body("W-1", {TEE: 1})))
    app_order = created(api.post("/v1/orders", headers=app_channel, json=order_body("A-1", {TEE: 1}, channel="app")))
    before = row_counts(engine)

    error_of(api.post("/v1/orders", headers=web_channel, json=order_body("W-2", {TEE: 1}, channel="app")),
             403, "forbidden")
    error_of(api.get(f"/v1/orders/{app_order['id']}", headers=web_channel), 403, "forbidden")
    error_of(api.post(f"/v1/orders/{app_order['id']}/cancel", headers=web_channel), 403, "forbidden")
    error_of(api.get("/v1/orders?channel=app", headers=web_channel), 403, "forbidden")

    assert row_counts(engine) == before
    assert [o["id"] for o in list_all(api, web_channel, "/v1/orders")] == [web_order["id"]]
    assert api.get(f"/v1/orders/{app_order['id']}", headers=app_channel).json()["status"] == "allocated"
