"""Idempotency-Key and channel order ids: a retried order is answered, never taken twice."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.e2e.conftest import (
    MUG,
    NYC,
    TEE,
    Headers,
    Keys,
    Network,
    all_balances,
    build_network,
    created,
    error_of,
    list_all,
    movement_totals,
    order_body,
    row_counts,
)


def test_same_key_and_body_replays_the_first_answer_and_takes_the_order_once(
    api: TestClient, network: Network, web_channel: Headers, admin: Headers, engine: Engine
) -> None:
    # given: an order placed with an Idempotency-Key
    body = order_body("1001", {TEE: 2, MUG: 1})
    first = api.post("/v1/orders", headers={**web_channel, "Idempotency-Key": "web-1001"}, json=body)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    after_first = (all_balances(api, admin), row_counts(engine))

    # when: the very same request is sent again
    again = api.post("/v1/orders", headers={**web_channel, "Idempotency-Key": "web-1001"}, json=body)

    # then: the first answer comes back, marked as a replay, and nothing else happened
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert (all_balances(api, admin), row_counts(engine)) == after_first
    assert [o["id"] for o in list_all(api, admin, "/v1/orders")] == [first.json()["id"]]
    assert movement_totals(engine)["reservation"] == (2, 3)


def test_same_key_with_another_body_is_refused_and_changes_nothing(
    api: TestClient, network: Network, web_channel: Headers, admin: Headers, engine: Engine
) -> None:
    # given: an order placed with an Idempotency-Key
    first = created(api.post("/v1/orders", headers={**web_channel, "Idempotency-Key": "k-1"},
                             json=order_body("1001", {TEE: 1})))
    before = (all_balances(api, admin), row_counts(engine))

    # when: the key comes back with a different order
    reused = api.post("/v1/orders", headers={**web_channel, "Idempotency-Key": "k-1"},
                      json=order_body("1002", {TEE: 1}))

    # then: 422 idempotency_key_reused naming the order the key belongs to; nothing was written
    assert error_of(reused, 422, "idempotency_key_reused") == {"order_id": first["id"]}
    assert (all_balances(api, admin), row_counts(engine)) == before


def test_same_channel_order_without_a_key_is_a_conflict_naming_the_existing_order(
    api: TestClient, network: Network, web_channel: Headers, admin: Headers, engine: Engine
) -> None:
    # given: channel web's order 1001 has been placed
    first = created(api.post("/v1/orders", headers=web_channel, json=order_body("1001", {TEE: 1})))
    before = (all_balances(api, admin), row_counts(engine))

    # when: the channel sends order 1001 again, even for other goods
    duplicate = api.post("/v1/orders", headers=web_channel, json=order_body("1001", {MUG: 1}))

    # then: 409 naming the order that already exists; nothing was written
    assert error_of(duplicate, 409, "duplicate_order") == {
        "order_id": first["id"], "channel": "web", "external_id": "1001",
    }
    assert (all_balances(api, admin), row_counts(engine)) == before


def test_a_key_belongs_to_the_principal_that_sent_it(
    api: TestClient, network: Network, web_channel: Headers, app_channel: Headers, admin: Headers
) -> None:
    # given: channel web placed an order with Idempotency-Key "checkout-1"
    web = created(api.post("/v1/orders", headers={**web_channel, "Idempotency-Key": "checkout-1"},
                           json=order_body("1001", {TEE: 1})))

    # when: channel app sends its own order with the same key
    app = api.post("/v1/orders", headers={**app_channel, "Idempotency-Key": "checkout-1"},
                   json=order_body("1001", {TEE: 1}, channel="app"))

    # then: it is a new order of its own, not a replay of web's, nor a reuse of web's key
    assert app.status_code == 201, app.text
    assert "Idempotent-Replayed" not in app.headers
    assert app.json()["id"] != web["id"]
    assert app.json()["channel"] == "app"
    assert sorted(o["channel"] for o in list_all(api, admin, "/v1/orders")) == ["app", "web"]
    assert all_balances(api, admin)[(TEE, NYC)]["reserved"] == 2


@pytest.mark.slow
@pytest.mark.xdist_group("servers")
def test_concurrent_replays_of_one_key_take_one_order(live_server: str, keys: Keys, engine: Engine) -> None:
    # given: a live multi-process server with stock, and a channel client about to retry hard
    admin, web = keys("admin"), keys("channel:web")
    with httpx.Client(base_url=live_server, timeout=30) as client:
        build_network(client, admin)
    body = order_body("1001", {TEE: 2})
    barrier = threading.Barrier(8)
    responses: list[Any] = [None] * 8

    def send(index: int) -> None:
        with httpx.Client(base_url=live_server, headers={**web, "Idempotency-Key": "web-1001"}, timeout=60) as http:
            http.get("/health").raise_for_status()
            barrier.wait(timeout=60)
            responses[index] = http.post("/v1/orders", json=body)

    # when: 8 threads send the same key and body at the same moment
    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then: every answer is the same 201 order; one of them took it, the rest are replays
    assert all(isinstance(r, httpx.Response) for r in responses), "a client thread did not finish"
    assert [r.status_code for r in responses] == [201] * 8, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert all(r.json() == responses[0].json() for r in responses)
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in responses) == [""] + ["true"] * 7
    with httpx.Client(base_url=live_server, timeout=30) as client:
        assert [o["id"] for o in list_all(client, admin, "/v1/orders")] == [responses[0].json()["id"]]
    assert movement_totals(engine)["reservation"] == (1, 2)
