"""Routing over HTTP: read why an order went where it went, reject and short-pick, backorders, promises."""

from __future__ import annotations

from datetime import UTC, datetime
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
    order_body,
    row_counts,
)


def decisions(api: TestClient, headers: Headers, order_id: str) -> list[dict[str, Any]]:
    response = api.get(f"/v1/orders/{order_id}/decisions", headers=headers)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def test_a_decision_explains_every_candidate_and_the_winner(
    api: TestClient, network: Network, web_channel: Headers
) -> None:
    order = created(api.post("/v1/orders", headers=web_channel, json=order_body("1001", {TEE: 1})))

    [decision] = decisions(api, web_channel, order["id"])

    assert (decision["sequence"], decision["kind"], decision["profile"]) == (1, "initial", "default")
    explanation = decision["explanation"]
    verdicts = {c["location"]: (c["verdict"], c["reason"]) for c in explanation["candidates"]}
    # To Manhattan: the NYC store (zone 2) 8.60 + 3.25 + 0.85; Chicago (zone 6) 11.45 + 1.60 + 0.35;
    # Philadelphia (zone 3) 9.15 + 3.25 + 0.85.
    assert verdicts == {
        NYC: ("chosen", "ships 1 units for 12.70"),
        CHI: ("considered", "one package from here costs 13.40, 0.70 more than the chosen plan"),
        PHL: ("considered", "one package from here costs 13.25, 0.55 more than the chosen plan"),
    }
    [package] = explanation["packages"]
    assert package["location"] == NYC
    assert package["lines"] == [{"sku": TEE, "quantity": 1}]
    assert package["cost"] == {"shipping": 8.6, "handling": 4.1, "capacity": 0.0, "opportunity": 0.0,
                               "total": 12.7}
    assert (package["zone"], package["transit_days"]) == (2, 1)
    assert explanation["total_cost"] == 12.7
    assert [c["location"] for c in explanation["candidates"]] == [NYC, PHL, CHI]  # chosen, then cheapest first


def test_a_store_rejects_its_fulfillment_and_the_order_is_routed_again_without_it(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, keys: Keys
) -> None:
    order = created(api.post("/v1/orders", headers=web_channel, json=order_body("1001", {TEE: 2})))
    [at_nyc] = order["fulfillments"]
    phl_store = keys(f"store:{PHL}")
    error_of(api.post(f"/v1/fulfillments/{at_nyc['id']}/reject", headers=phl_store, json={"reason": "other"}),
             403, "forbidden")

    response = api.post(f"/v1/fulfillments/{at_nyc['id']}/reject", headers=nyc_store,
                        json={"reason": "no_capacity", "note": "register down"})

    assert response.status_code == 200, response.text
    rerouted = response.json()
    assert [(f["location"], f["status"]) for f in rerouted["fulfillments"]] == [(NYC, "rejected"), (CHI, "pending")]
    assert balance(api, nyc_store, TEE, NYC)["reserved"] == 0
    trail = decisions(api, web_channel, order["id"])
    assert [(d["sequence"], d["kind"]) for d in trail] == [(1, "initial"), (2, "reroute")]
    again = trail[1]["explanation"]
    assert (again["failed_at"], again["reason"], again["excluded"]) == (NYC, "no_capacity: register down", [NYC])
    error_of(api.post(f"/v1/fulfillments/{at_nyc['id']}/reject", headers=nyc_store, json={"reason": "bored"}),
             422, "invalid_input")
    assert {c["location"]: c["verdict"] for c in again["candidates"]} == {
        NYC: "filtered", CHI: "chosen", PHL: "considered"}


def test_what_no_location_can_take_is_visible_on_the_backorder_queue(
    api: TestClient, network: Network, admin: Headers
) -> None:
    order = created(api.post("/v1/orders", headers=admin, json=order_body("1001", {MUG: 12})))
    at_chi = next(f for f in order["fulfillments"] if f["location"] == CHI)

    response = api.post(f"/v1/fulfillments/{at_chi['id']}/short-pick", headers=admin,
                        json={"lines": [{"sku": MUG, "picked": 4}], "reason": "bin empty"})

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "backordered"
    queue = api.get("/v1/routing/backorders", headers=admin).json()
    assert [(b["order_id"], b["sku"], b["quantity"], b["status"]) for b in queue["items"]] == [
        (order["id"], MUG, 6, "open")]
    assert balance(api, admin, MUG, CHI) == {"on_hand": 4, "reserved": 4, "safety_stock": 0, "available": 0}


def test_availability_promises_pickup_and_delivery_without_reserving(
    api: TestClient, network: Network, web_channel: Headers, engine: Engine
) -> None:
    before = row_counts(engine)
    asked_at = datetime.now(UTC)

    response = api.post("/v1/availability", headers=web_channel,
                        json={"postal_code": "10001", "lines": [{"sku": TEE, "quantity": 1}]})

    assert response.status_code == 200, response.text
    body = response.json()
    assert [p["location"] for p in body["pickup"]] == [NYC]  # Philadelphia is beyond the 50-mile pickup radius
    assert datetime.fromisoformat(body["pickup"][0]["ready_by"]) > asked_at
    options = {d["service_level"]: d for d in body["delivery"]}
    assert set(options) == {"standard", "express"}
    assert (options["standard"]["price"], options["standard"]["ships_from"]) == ("8.60", [NYC])
    assert options["express"]["price"] == "17.50"
    assert options["standard"]["delivers_on"] is not None
    assert body["unavailable"] == [{"service_level": "same_day",
                                    "reason": "no location can send it with this service"}]
    assert row_counts(engine) == before


@pytest.mark.parametrize(("body", "field"), [
    ({"postal_code": "10001", "lines": [{"sku": "NOPE", "quantity": 1}]}, "lines[0].sku"),
    ({"postal_code": "00000", "lines": [{"sku": TEE, "quantity": 1}]}, "postal_code"),
    ({"postal_code": "10001", "lines": [{"sku": TEE, "quantity": 1}, {"sku": TEE, "quantity": 2}]}, "lines[1].sku"),
    ({"postal_code": "10001", "lines": []}, "lines"),
    ({"postal_code": "10001", "lines": [{"sku": TEE, "quantity": 0}]}, "lines[0].quantity"),
])
def test_a_bad_availability_question_is_a_422_naming_the_field(
    api: TestClient, network: Network, web_channel: Headers, body: dict[str, Any], field: str
) -> None:
    details = error_of(api.post("/v1/availability", headers=web_channel, json=body), 422, "invalid_input")

    assert field in [e["field"] for e in details["errors"]]


def test_a_channel_key_asks_for_its_own_channel_only(api: TestClient, network: Network, web_channel: Headers) -> None:
    body = {"postal_code": "10001", "channel": "app", "lines": [{"sku": TEE, "quantity": 1}]}

    error_of(api.post("/v1/availability", headers=web_channel, json=body), 403, "forbidden")


def test_a_bad_short_pick_is_a_422_and_changes_nothing(
    api: TestClient, network: Network, admin: Headers, engine: Engine
) -> None:
    order = created(api.post("/v1/orders", headers=admin, json=order_body("1001", {TEE: 2})))
    before = row_counts(engine)

    response = api.post(f"/v1/fulfillments/{order['fulfillments'][0]['id']}/short-pick", headers=admin,
                        json={"lines": [{"sku": TEE, "picked": 5}], "reason": "?"})

    assert error_of(response, 422, "invalid_input")["errors"][0]["field"] == "lines[0].picked"
    assert row_counts(engine) == before


def test_a_wave_and_a_look_ahead_run_on_demand(api: TestClient, network: Network, operator: Headers) -> None:
    batchable = api.put("/v1/routing/profiles/default", headers=operator, json={"batchable": True})
    assert batchable.status_code in (200, 201), batchable.text
    created(api.post("/v1/orders", headers=operator, json=order_body("1001", {TEE: 1})))

    wave = created(api.post("/v1/routing/waves", headers=operator, json={"time_limit_seconds": 2}))

    assert (wave["orders"], wave["changed"]) == (1, 0)
    assert api.get(f"/v1/routing/waves/{wave['id']}", headers=operator).json() == wave
    error_of(api.get("/v1/routing/waves/wave_nope", headers=operator), 404, "not_found")
    details = error_of(api.post("/v1/routing/waves", headers=operator, json={"time_limit_seconds": 0}),
                       422, "invalid_input")
    assert details["errors"][0]["field"] == "time_limit_seconds"
    for method in ("transportation", "plans"):
        run = api.post("/v1/routing/lookahead", headers=operator, json={"history_hours": 1, "method": method})
        assert run.status_code == 200, run.text
        assert (run.json()["orders_seen"], run.json()["skus"]) == (1, 1)
    details = error_of(api.post("/v1/routing/lookahead", headers=operator, json={"method": "crystal-ball"}),
                       422, "invalid_input")
    assert details["errors"][0]["field"] == "method"
