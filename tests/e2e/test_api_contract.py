"""The README's walk through the API, as tests: what each call answers and what it changes."""

from __future__ import annotations

import gc
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from omnifill.adapters.sql.tables import inventory_movements
from tests.e2e.conftest import (
    CHI,
    MUG,
    NYC,
    OPENING_STOCK,
    PHL,
    TEE,
    Headers,
    Network,
    all_balances,
    balance,
    created,
    error_of,
    ledger_and_balances,
    list_all,
    location_body,
    movement_body,
    order_body,
    row_counts,
    sku_body,
)
from tests.factories import ZIP

# ------------------------------------------------------------------------------- catalog and network


def test_a_started_worker_keeps_the_zip_code_table_out_of_the_collectors_way(api: TestClient) -> None:
    assert api.get("/health").json() == {"status": "ok"}
    assert gc.get_freeze_count() > 100_000  # the table and everything else start-up built: no 0.3 s full sweeps


def test_created_skus_and_locations_read_back_as_written(api: TestClient, admin: Headers) -> None:
    # when: an admin creates a SKU and a store at a real ZIP code
    sku = api.post("/v1/skus", headers=admin, json=sku_body(TEE, gtin="00012345600012"))
    location = api.post("/v1/locations", headers=admin, json=location_body(NYC, ZIP["NYC"]))

    # then: both answer 201 with what is stored; the store's position and time zone come from its ZIP code
    assert created(sku) == {"code": TEE, "name": f"Item {TEE}", "gtin": "00012345600012", "unit_cost": "4.00",
                            "unit_price": "12.00", "weight_kg": "0.250", "dimensions_cm": None}
    assert created(location) == {
        "code": NYC, "name": f"Location {NYC}", "kind": "store", "latitude": 40.7484, "longitude": -73.9967,
        "postal_code": "10001", "country": "US", "time_zone": "America/New_York",
        "capabilities": ["pickup", "returns", "ship"], "daily_order_capacity": None, "fulfillment_enabled": True,
        "ship_cutoff": "15:00", "address": None, "service_radius_miles": None, "hourly_order_capacity": None,
        # the default week: Monday to Saturday 09:00-21:00, Sunday 10:00-18:00
        "opening_hours": {**{day: {"opens": "09:00", "closes": "21:00"}
                             for day in ("mon", "tue", "wed", "thu", "fri", "sat")},
                          "sun": {"opens": "10:00", "closes": "18:00"}},
    }
    assert api.get(f"/v1/skus/{TEE}", headers=admin).json() == sku.json()
    assert api.get(f"/v1/locations/{NYC}", headers=admin).json() == location.json()
    assert list_all(api, admin, "/v1/locations") == [location.json()]


def test_a_second_sku_with_the_same_code_is_a_conflict(api: TestClient, admin: Headers, engine: Engine) -> None:
    created(api.post("/v1/skus", headers=admin, json=sku_body(TEE)))
    before = row_counts(engine)

    again = api.post("/v1/skus", headers=admin, json=sku_body(TEE, name="Another"))

    assert error_of(again, 409, "already_exists") == {"sku": TEE}
    assert row_counts(engine) == before


# ------------------------------------------------------------------------------------------ stock


def test_a_receipt_answers_the_movement_and_the_new_balance(api: TestClient, network: Network, admin: Headers) -> None:
    # when: 7 more units of TEE arrive at NYC at a new cost
    response = api.post("/v1/inventory/movements", headers=admin,
                        json=movement_body(TEE, NYC, "receipt", 7, unit_cost="5.20"))

    # then: the ledger row and the balance it produced
    assert created(response) == {
        "movement": {"kind": "receipt", "sku": TEE, "location": NYC, "quantity": 7, "on_hand_delta": 7,
                     "reserved_delta": 0, "unit_cost": "5.20", "reason": "e2e receipt", "actor": "admin"},
        "balance": {"sku": TEE, "location": NYC, "on_hand": 12, "reserved": 0, "safety_stock": 0, "available": 12},
    }


@pytest.mark.parametrize(
    ("kind", "quantity", "on_hand_delta", "on_hand_after"),
    [
        pytest.param("adjustment", -2, -2, 3, id="adjustment-down"),
        pytest.param("adjustment", 4, 4, 9, id="adjustment-up"),
        pytest.param("count", 8, 3, 8, id="count-above-books"),
        pytest.param("count", 1, -4, 1, id="count-below-books"),
        pytest.param("count", 0, -5, 0, id="count-empty-shelf"),
    ],
)
def test_adjustments_are_signed_and_counts_set_on_hand(
    api: TestClient, network: Network, operator: Headers, kind: str, quantity: int, on_hand_delta: int,
    on_hand_after: int,
) -> None:
    # given: NYC holds 5 TEE
    # when: an adjustment or a cycle count is recorded
    response = api.post("/v1/inventory/movements", headers=operator, json=movement_body(TEE, NYC, kind, quantity))

    # then: the movement carries the change (a count's quantity is the delta it found) and on hand follows it
    body = created(response)
    assert (body["movement"]["kind"], body["movement"]["quantity"]) == (kind, on_hand_delta)
    assert body["movement"]["on_hand_delta"] == on_hand_delta
    assert body["balance"] == {"sku": TEE, "location": NYC, "on_hand": on_hand_after, "reserved": 0,
                               "safety_stock": 0, "available": on_hand_after}
    assert balance(api, operator, TEE, NYC) == {"on_hand": on_hand_after, "reserved": 0, "safety_stock": 0,
                                                "available": on_hand_after}


@pytest.mark.parametrize(
    ("kind", "quantity"),
    [
        pytest.param("adjustment", -6, id="adjustment-below-zero"),
        pytest.param("adjustment", -4, id="adjustment-below-reserved"),
        pytest.param("count", 1, id="count-below-reserved"),
    ],
)
def test_a_movement_that_would_break_the_stock_invariant_is_refused_and_changes_nothing(
    api: TestClient, network: Network, admin: Headers, engine: Engine, kind: str, quantity: int
) -> None:
    # given: NYC holds 5 TEE, 2 of them reserved by an order
    order = created(api.post("/v1/orders", headers=admin, json=order_body("1001", {TEE: 2})))
    assert order["fulfillments"][0]["location"] == NYC
    before = (all_balances(api, admin), row_counts(engine))

    # when: a movement would take on hand below zero, or below what is reserved
    response = api.post("/v1/inventory/movements", headers=admin, json=movement_body(TEE, NYC, kind, quantity))

    # then: 409 stock_conflict with the balance it ran into; nothing changed
    details = error_of(response, 409, "stock_conflict")
    assert (details["on_hand"], details["reserved"]) == (5, 2)
    assert (all_balances(api, admin), row_counts(engine)) == before


def test_inventory_lists_balances_per_location_and_network_totals(
    api: TestClient, network: Network, admin: Headers
) -> None:
    created(api.post("/v1/orders", headers=admin, json=order_body("1001", {TEE: 2})))

    everywhere = api.get("/v1/inventory", headers=admin, params={"sku": TEE})
    one_place = api.get("/v1/inventory", headers=admin, params={"sku": TEE, "location": PHL})

    assert everywhere.status_code == 200
    assert everywhere.json() == {
        "items": [
            {"sku": TEE, "location": NYC, "on_hand": 5, "reserved": 2, "safety_stock": 0, "available": 3},
            {"sku": TEE, "location": PHL, "on_hand": 3, "reserved": 0, "safety_stock": 0, "available": 3},
            {"sku": TEE, "location": CHI, "on_hand": 20, "reserved": 0, "safety_stock": 0, "available": 20},
        ],
        "network_totals": [{"sku": TEE, "on_hand": 28, "reserved": 2, "safety_stock": 0, "available": 26}],
        "next_cursor": None,
    }
    assert one_place.json() == {
        "items": [{"sku": TEE, "location": PHL, "on_hand": 3, "reserved": 0, "safety_stock": 0, "available": 3}],
        "network_totals": [{"sku": TEE, "on_hand": 3, "reserved": 0, "safety_stock": 0, "available": 3}],
        "next_cursor": None,
    }


def test_inventory_pages_through_every_balance_exactly_once(
    api: TestClient, network: Network, admin: Headers
) -> None:
    pages = list_all(api, admin, "/v1/inventory", limit=2)

    assert [(b["sku"], b["location"], b["on_hand"]) for b in pages] == sorted(
        (sku, location, units) for (sku, location), units in OPENING_STOCK.items()
    )


def test_safety_stock_is_held_back_from_orders(api: TestClient, network: Network, operator: Headers) -> None:
    # when: 4 of NYC's 5 TEE are kept for the shelf
    response = api.put("/v1/inventory/safety-stock", headers=operator,
                       json={"sku": TEE, "location": NYC, "safety_stock": 4})

    # then: 1 is left to promise, so a 2-unit order to New York goes where 2 units cost least to send: the
    # Chicago warehouse (zone 6, 11.45 + handling 2.30) beats the Philadelphia store (zone 3, 9.15 + 4.95)
    assert response.status_code == 200, response.text
    assert response.json() == {"sku": TEE, "location": NYC, "on_hand": 5, "reserved": 0, "safety_stock": 4,
                               "available": 1}
    order = created(api.post("/v1/orders", headers=operator, json=order_body("1001", {TEE: 2})))
    assert [f["location"] for f in order["fulfillments"]] == [CHI]
    assert balance(api, operator, TEE, NYC) == {"on_hand": 5, "reserved": 0, "safety_stock": 4, "available": 1}


# ------------------------------------------------------------------------------------------ orders


def test_placing_an_order_answers_the_documented_shape_and_reserves_stock(
    api: TestClient, network: Network, web_channel: Headers, admin: Headers, engine: Engine
) -> None:
    # when: channel web places an order shipping to New York
    response = api.post("/v1/orders", headers=web_channel, json=order_body("1001", {TEE: 2}))

    # then: 201 with the order, allocated to the New York store
    body = created(response)
    assert re.fullmatch(r"ord_[0-9A-Z]{26}", body["id"])
    assert re.fullmatch(r"ful_[0-9A-Z]{26}", body["fulfillments"][0]["id"])
    assert body == {
        "id": body["id"], "status": "allocated", "channel": "web", "external_id": "1001",
        "customer": {"email": "pat@example.com", "name": "Pat Lee", "phone": None},
        "ship_to": {"postal_code": "10001", "country": "US", "address_lines": ["350 5th Ave"]},
        "delivery": {"method": "ship", "service_level": "standard"},
        "lines": [{"sku": TEE, "quantity": 2, "unit_price": "12.00"}],
        "fulfillments": [{"id": body["fulfillments"][0]["id"], "location": NYC, "status": "pending",
                          "lines": [{"sku": TEE, "quantity": 2}]}],
        "created_at": body["created_at"],
    }
    # and: the store's balance shows the reservation, and the ledger says why
    assert balance(api, admin, TEE, NYC) == {"on_hand": 5, "reserved": 2, "safety_stock": 0, "available": 3}
    with engine.connect() as connection:
        rows = connection.execute(select(inventory_movements.c.kind, inventory_movements.c.quantity)
                                  .where(inventory_movements.c.order_id == body["id"])).all()
    assert [tuple(r) for r in rows] == [("reservation", 2)]
    assert api.get(f"/v1/orders/{body['id']}", headers=web_channel).json() == body


def test_an_order_the_network_cannot_cover_is_refused_naming_what_is_short(
    api: TestClient, network: Network, admin: Headers, engine: Engine
) -> None:
    # given: 28 TEE and 12 MUG across the network
    before = (all_balances(api, admin), row_counts(engine))

    # when: an order wants 29 TEE and 1 MUG
    response = api.post("/v1/orders", headers=admin, json=order_body("1001", {TEE: 29, MUG: 1}))

    # then: 409 listing the short line only, with what there is; nothing was reserved or stored
    assert error_of(response, 409, "insufficient_stock") == {"short": [{"sku": TEE, "requested": 29, "available": 28}]}
    assert (all_balances(api, admin), row_counts(engine)) == before


def test_an_order_no_single_location_covers_is_split(api: TestClient, network: Network, admin: Headers) -> None:
    order = created(api.post("/v1/orders", headers=admin, json=order_body("1001", {TEE: 22})))

    # a unit costs less to handle in the warehouse, so it sends all it has; the store adds the rest
    assert [(f["location"], f["lines"]) for f in order["fulfillments"]] == [
        (NYC, [{"sku": TEE, "quantity": 2}]), (CHI, [{"sku": TEE, "quantity": 20}]),
    ]
    assert (balance(api, admin, TEE, CHI)["reserved"], balance(api, admin, TEE, NYC)["reserved"]) == (20, 2)
    assert api.get(f"/v1/orders/{order['id']}", headers=admin).json() == order


def test_an_unknown_order_is_not_found(api: TestClient, network: Network, admin: Headers) -> None:
    response = api.get("/v1/orders/ord_00000000000000000000000000", headers=admin)

    assert error_of(response, 404, "not_found") == {"order_id": "ord_00000000000000000000000000"}


def test_the_order_list_pages_through_every_match_exactly_once(
    api: TestClient, network: Network, admin: Headers
) -> None:
    # given: 7 web orders (2 of them cancelled) and 2 app orders
    web = [created(api.post("/v1/orders", headers=admin, json=order_body(f"w{i}", {TEE: 1})))["id"] for i in range(7)]
    app = [created(api.post("/v1/orders", headers=admin, json=order_body(f"a{i}", {MUG: 1}, channel="app")))["id"]
           for i in range(2)]
    for cancelled in web[:2]:
        assert api.post(f"/v1/orders/{cancelled}/cancel", headers=admin).status_code == 200

    # when/then: every filter, walked a few items at a time, yields each match once, in id order
    def ids(**params: Any) -> list[str]:
        return [o["id"] for o in list_all(api, admin, "/v1/orders", **params)]

    assert ids(limit=2) == sorted(web + app)
    assert ids(limit=3, channel="web") == sorted(web)
    assert ids(limit=3, channel="web", status="allocated") == sorted(web[2:])
    assert ids(limit=1, status="cancelled") == sorted(web[:2])
    assert ids(limit=500, channel="app") == sorted(app)
    assert ids(channel="marketplace") == []


def test_cancelling_releases_every_reservation_and_a_second_cancel_is_a_conflict(
    api: TestClient, network: Network, web_channel: Headers, admin: Headers, engine: Engine
) -> None:
    # given: an order split over two locations
    order = created(api.post("/v1/orders", headers=web_channel, json=order_body("1001", {TEE: 22})))
    assert sorted(f["location"] for f in order["fulfillments"]) == [NYC, CHI]

    # when: the channel cancels it
    response = api.post(f"/v1/orders/{order['id']}/cancel", headers=web_channel)

    # then: the order and its fulfillments are cancelled, every unit is released and the ledger says so
    assert response.status_code == 200, response.text
    cancelled = response.json()
    assert cancelled["status"] == "cancelled"
    assert [f["status"] for f in cancelled["fulfillments"]] == ["cancelled", "cancelled"]
    assert api.get(f"/v1/orders/{order['id']}", headers=web_channel).json() == cancelled
    assert {pair: b["on_hand"] for pair, b in all_balances(api, admin).items()} == OPENING_STOCK
    assert all(b["reserved"] == 0 for b in all_balances(api, admin).values())
    with engine.connect() as connection:
        rows = connection.execute(select(inventory_movements.c.kind, inventory_movements.c.quantity)
                                  .where(inventory_movements.c.order_id == order["id"])).all()
    assert sorted(tuple(r) for r in rows) == [("release", 2), ("release", 20), ("reservation", 2), ("reservation", 20)]
    sums, balances = ledger_and_balances(engine)
    assert sums == balances

    # and: cancelling again is refused, naming the status the order is in; nothing changes
    before = (all_balances(api, admin), row_counts(engine))
    again = api.post(f"/v1/orders/{order['id']}/cancel", headers=web_channel)
    details = error_of(again, 409, "invalid_transition")
    assert details["current_status"] == "cancelled"
    assert "cancelled" in again.json()["error"]["message"]
    assert (all_balances(api, admin), row_counts(engine)) == before


def test_a_pickup_order_is_held_at_the_chosen_store(api: TestClient, network: Network, admin: Headers) -> None:
    # when: a customer picks up 2 TEE at Philadelphia (New York holds more, but was not chosen)
    order = created(api.post("/v1/orders", headers=admin, json=order_body("1001", {TEE: 2}, pickup=PHL)))

    # then: Philadelphia holds them for the pickup
    assert order["delivery"] == {"method": "pickup", "location": PHL}
    assert order["ship_to"] is None
    assert [(f["location"], f["lines"]) for f in order["fulfillments"]] == [(PHL, [{"sku": TEE, "quantity": 2}])]
    assert balance(api, admin, TEE, PHL) == {"on_hand": 3, "reserved": 2, "safety_stock": 0, "available": 1}


def test_a_pickup_is_short_when_the_chosen_store_is_short(
    api: TestClient, network: Network, admin: Headers, engine: Engine
) -> None:
    before = row_counts(engine)

    response = api.post("/v1/orders", headers=admin, json=order_body("1001", {TEE: 4}, pickup=PHL))

    assert error_of(response, 409, "insufficient_stock") == {"short": [{"sku": TEE, "requested": 4, "available": 3}]}
    assert row_counts(engine) == before


def test_a_pickup_at_a_location_without_pickup_is_invalid(
    api: TestClient, network: Network, admin: Headers, engine: Engine
) -> None:
    before = row_counts(engine)

    response = api.post("/v1/orders", headers=admin, json=order_body("1001", {TEE: 1}, pickup=CHI))

    details = error_of(response, 422, "invalid_input")
    assert [e["field"] for e in details["errors"]] == ["delivery.location"]
    assert row_counts(engine) == before


def test_disabling_fulfillment_takes_a_location_out_of_allocation_at_once(
    api: TestClient, network: Network, admin: Headers
) -> None:
    # given: a New York order goes to the New York store
    first = created(api.post("/v1/orders", headers=admin, json=order_body("1001", {TEE: 1})))
    assert [f["location"] for f in first["fulfillments"]] == [NYC]

    # when: the admin switches fulfillment off at that store
    response = api.patch(f"/v1/locations/{NYC}", headers=admin, json={"fulfillment_enabled": False})

    # then: the next New York order goes to the next nearest store, though New York still has stock
    assert response.status_code == 200, response.text
    assert response.json()["fulfillment_enabled"] is False
    assert response.json()["capabilities"] == ["pickup", "returns", "ship"]
    second = created(api.post("/v1/orders", headers=admin, json=order_body("1002", {TEE: 1})))
    assert [f["location"] for f in second["fulfillments"]] == [PHL]
    assert balance(api, admin, TEE, NYC)["available"] == 4


# ------------------------------------------------------------------------------------ service pages


def test_health_answers_without_a_key(api: TestClient) -> None:
    response = api.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_openapi_document_is_served(api: TestClient) -> None:
    response = api.get("/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/v1/orders", "/v1/orders/{order_id}/cancel", "/v1/inventory/movements", "/v1/locations/{code}"} <= set(
        paths
    )


def test_the_docs_page_loads_everything_from_this_server(api: TestClient) -> None:
    response = api.get("/docs")

    assert response.status_code == 200
    html = response.text
    assert "swagger" in html.lower()
    assert "cdn" not in html.lower()
    assert "https://" not in html
    assert "http://" not in html
    assert not re.search(r"(?:src|href)\s*=\s*[\"'](?:https?:)?//", html), "the page loads from another host"
    assets = re.findall(r"(?:src|href)\s*=\s*[\"']([^\"']+)[\"']", html)
    assert assets, "the page loads no script or style"
    for asset in assets:
        assert api.get(asset).status_code == 200, asset
