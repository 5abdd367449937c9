"""The work at a location over HTTP: accept, pick, pack, ship; ready and hand over; every unit accounted for."""

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
    balance,
    created,
    error_of,
    ledger_and_balances,
    order_body,
    row_counts,
)


def act(api: TestClient, headers: Headers, fulfillment_id: str, action: str, body: Any = None) -> dict[str, Any]:
    response = api.post(f"/v1/fulfillments/{fulfillment_id}/{action}", headers=headers, json=body)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def test_ship_from_store_walks_to_shipped_and_the_units_leave_the_shelf(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, keys: Keys, engine: Engine,
) -> None:
    order = created(api.post("/v1/orders", headers=web_channel, json=order_body("1001", {TEE: 2})))
    [work] = order["fulfillments"]
    assert work["location"] == NYC
    error_of(api.post(f"/v1/fulfillments/{work['id']}/accept", headers=keys(f"store:{PHL}")), 403, "forbidden")
    queue = api.get("/v1/fulfillments", headers=nyc_store, params={"status": "pending"}).json()["items"]
    assert [(f["id"], f["order_id"], f["status"]) for f in queue] == [(work["id"], order["id"], "pending")]

    for action in ("accept", "pick", "pack"):
        act(api, nyc_store, work["id"], action, {} if action == "pick" else None)
    shipped = act(api, nyc_store, work["id"], "ship")

    assert shipped["status"] == "shipped"
    assert [f["status"] for f in shipped["fulfillments"]] == ["shipped"]
    assert balance(api, nyc_store, TEE, NYC) == {"on_hand": 3, "reserved": 0, "safety_stock": 0, "available": 3}
    details = error_of(api.post(f"/v1/fulfillments/{work['id']}/ship", headers=nyc_store), 409, "invalid_transition")
    assert details["current_status"] == "shipped"
    ledger, balances = ledger_and_balances(engine)
    assert ledger == balances


def test_a_pick_that_finds_less_hands_the_rest_back_to_routing(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers,
) -> None:
    order = created(api.post("/v1/orders", headers=web_channel, json=order_body("1001", {TEE: 2})))
    [work] = order["fulfillments"]
    act(api, nyc_store, work["id"], "accept")

    picked = act(api, nyc_store, work["id"], "pick", {"lines": [{"sku": TEE, "picked": 1}]})

    assert [(f["location"], f["status"], f["lines"]) for f in picked["fulfillments"]] == [
        (NYC, "picked", [{"sku": TEE, "quantity": 1}]),
        (PHL, "pending", [{"sku": TEE, "quantity": 1}]),  # one unit: Philadelphia 13.25 beats Chicago 13.40
    ]
    assert balance(api, nyc_store, TEE, NYC) == {"on_hand": 4, "reserved": 1, "safety_stock": 0, "available": 3}


def test_a_pickup_is_made_ready_and_handed_over_to_whoever_shows_the_code(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, admin: Headers, engine: Engine,
) -> None:
    order = created(api.post("/v1/orders", headers=web_channel, json=order_body("P-1", {TEE: 1}, pickup=NYC)))
    [work] = order["fulfillments"]
    act(api, nyc_store, work["id"], "accept")
    act(api, nyc_store, work["id"], "pick", {})
    error_of(api.post(f"/v1/fulfillments/{work['id']}/pack", headers=nyc_store), 409, "invalid_transition")
    assert act(api, nyc_store, work["id"], "ready")["status"] == "ready_for_pickup"

    code = api.get(f"/v1/fulfillments/{work['id']}", headers=admin).json()["pickup_code"]
    assert len(code) == 6
    assert api.get(f"/v1/fulfillments/{work['id']}", headers=nyc_store).json()["pickup_code"] is None
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    before = row_counts(engine)
    details = error_of(api.post(f"/v1/fulfillments/{work['id']}/handoff", headers=nyc_store,
                                json={"pickup_code": wrong}), 422, "invalid_input")
    assert details["errors"][0]["field"] == "pickup_code"
    assert row_counts(engine) == before

    handed = act(api, nyc_store, work["id"], "handoff", {"pickup_code": code})

    assert (handed["status"], handed["fulfillments"][0]["status"]) == ("picked_up", "picked_up")
    assert balance(api, nyc_store, TEE, NYC) == {"on_hand": 4, "reserved": 0, "safety_stock": 0, "available": 4}
    view = api.get(f"/v1/fulfillments/{work['id']}", headers=admin).json()
    assert view["handed_over_by"] == f"store:{NYC}"
    assert view["handed_over_at"] is not None


def test_an_unknown_action_or_fulfillment_is_refused(api: TestClient, network: Network, admin: Headers) -> None:
    order = created(api.post("/v1/orders", headers=admin, json=order_body("1001", {TEE: 1})))
    work = order["fulfillments"][0]["id"]

    assert api.post(f"/v1/fulfillments/{work}/teleport", headers=admin).status_code == 422
    error_of(api.post("/v1/fulfillments/ful_nope/accept", headers=admin), 404, "not_found")
    error_of(api.get("/v1/fulfillments/ful_nope", headers=admin), 404, "not_found")
    assert api.get(f"/v1/fulfillments/{work}", headers=admin).json()["status"] == "pending"


def test_a_store_sees_its_queue_with_the_next_action_oldest_promise_first(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, keys: Keys,
) -> None:
    later = order_body("1001", {TEE: 1})
    later["delivery"]["promised_by"] = "2026-12-20"
    sooner = order_body("1002", {TEE: 1})
    sooner["delivery"]["promised_by"] = "2026-12-10"
    first = created(api.post("/v1/orders", headers=web_channel, json=later))
    second = created(api.post("/v1/orders", headers=web_channel, json=sooner))
    act(api, nyc_store, second["fulfillments"][0]["id"], "accept")
    pickup = created(api.post("/v1/orders", headers=web_channel, json=order_body("P-1", {TEE: 1}, pickup=NYC)))
    act(api, nyc_store, pickup["fulfillments"][0]["id"], "accept")
    act(api, nyc_store, pickup["fulfillments"][0]["id"], "pick", {})

    response = api.get(f"/v1/locations/{NYC}/tasks", headers=nyc_store)

    assert response.status_code == 200, response.text
    assert [(t["order_id"], t["action"], t["promised_by"]) for t in response.json()] == [
        (second["id"], "pick", "2026-12-10"), (first["id"], "accept", "2026-12-20"), (pickup["id"], "ready", None),
    ]
    error_of(api.get(f"/v1/locations/{NYC}/tasks", headers=keys(f"store:{PHL}")), 403, "forbidden")
