"""Tills over HTTP: a store key's sales and returns, an offline till's batch that collides with an online order,
what other keys may not do, malformed bodies, and one customer found across a web order and a till sale."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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
    act,
    balance,
    created,
    error_of,
    ledger_and_balances,
    order_body,
    row_counts,
)
from tests.e2e.test_malformed_input import JSON, error_fields, json_values

EARLIER = "2026-11-25T09:30:00-05:00"


def sale_body(transaction_id: str, lines: dict[str, int], **changes: Any) -> dict[str, Any]:
    return {"transaction_id": transaction_id, "occurred_at": EARLIER,
            "lines": [{"sku": sku, "quantity": n, "unit_price": "12.00"} for sku, n in lines.items()], **changes}


def with_line(**changes: Any) -> dict[str, Any]:
    body = sale_body("T-BAD", {TEE: 1})
    body["lines"][0].update(changes)
    return body


def test_a_store_keys_sale_lowers_its_on_hand_and_a_replay_changes_nothing(
    api: TestClient, network: Network, nyc_store: Headers, engine: Engine,
) -> None:
    first = act(api, nyc_store, "/v1/pos/sales", sale_body("T-1", {TEE: 2, MUG: 1}))

    assert (first["location"], first["kind"], first["total"], first["replayed"]) == (NYC, "sale", "36.00", False)
    assert balance(api, nyc_store, TEE, NYC) == {"on_hand": 3, "reserved": 0, "safety_stock": 0, "available": 3}
    before = row_counts(engine)
    again = act(api, nyc_store, "/v1/pos/sales", sale_body("T-1", {TEE: 2, MUG: 1}))
    assert again == {**first, "replayed": True}
    assert row_counts(engine) == before
    details = error_of(api.post("/v1/pos/sales", headers=nyc_store, json=sale_body("T-1", {TEE: 3})),
                       422, "idempotency_key_reused")
    assert details == {"transaction_id": "T-1", "location": NYC}
    assert row_counts(engine) == before


def test_an_offline_batch_reroutes_the_online_order_that_reserved_the_sold_units(
    api: TestClient, network: Network, admin: Headers, web_channel: Headers, nyc_store: Headers, engine: Engine,
) -> None:
    """New York's 5 tees are all promised to a web order; the till, offline that morning, had sold 2 of them."""
    assert api.patch(f"/v1/locations/{CHI}", headers=admin, json={"fulfillment_enabled": False}).status_code == 200
    order = created(api.post("/v1/orders", headers=web_channel, json=order_body("W-1", {TEE: 5})))
    assert [(f["location"], f["lines"]) for f in order["fulfillments"]] == [(NYC, [{"sku": TEE, "quantity": 5}])]

    batch = act(api, nyc_store, "/v1/pos/sales/batch", {"sales": [
        sale_body("T-2", {TEE: 1}, occurred_at="2026-11-25T09:40:00-05:00"), sale_body("T-1", {TEE: 1}),
    ]})

    assert (batch["recorded"], batch["replayed"], batch["failed"]) == (2, 0, 0)
    assert [r["transaction_id"] for r in batch["results"]] == ["T-2", "T-1"]  # the order sent
    after = api.get(f"/v1/orders/{order['id']}", headers=admin).json()
    assert after["status"] == "allocated"
    assert sorted((f["location"], f["status"], f["lines"][0]["quantity"]) for f in after["fulfillments"]) == [
        (NYC, "pending", 3), (PHL, "pending", 1), (PHL, "pending", 1)]
    assert balance(api, admin, TEE, NYC) == {"on_hand": 3, "reserved": 3, "safety_stock": 0, "available": 0}
    assert balance(api, admin, TEE, PHL)["reserved"] == 2
    conflicts = api.get(f"/v1/locations/{NYC}/pos-conflicts", headers=nyc_store).json()["items"]
    assert [(c["transaction_id"], c["sku"], c["units_short"], c["unbooked_units"]) for c in conflicts] == [
        ("T-1", TEE, 1, 0), ("T-2", TEE, 1, 0)]  # oldest sale first: the batch is booked in till order
    assert {c["rerouted"][0]["order_id"] for c in conflicts} == {order["id"]}
    sums, balances = ledger_and_balances(engine)
    assert sums == balances


def test_another_stores_key_may_not_sell_here_and_writes_nothing(
    api: TestClient, network: Network, keys: Keys, web_channel: Headers, engine: Engine,
) -> None:
    phl_store = keys(f"store:{PHL}")
    before = row_counts(engine)

    error_of(api.post("/v1/pos/sales", headers=phl_store, json=sale_body("T-1", {TEE: 1}, location=NYC)),
             403, "forbidden")
    error_of(api.post("/v1/pos/returns", headers=phl_store,
                      json={**sale_body("R-1", {}), "location": NYC, "lines": [{"sku": TEE, "quantity": 1}]}),
             403, "forbidden")
    error_of(api.post("/v1/pos/sales", headers=web_channel, json=sale_body("T-1", {TEE: 1}, location=NYC)),
             403, "forbidden")
    error_of(api.get(f"/v1/locations/{NYC}/pos-conflicts", headers=phl_store), 403, "forbidden")

    assert row_counts(engine) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (with_line(quantity=0), "lines[0].quantity"),
        (with_line(unit_price=12.5), "lines[0].unit_price"),
        (with_line(sku="NO-SUCH-SKU"), "lines[0].sku"),
        (with_line(barcode="00012345600012"), "lines[0]"),  # a sku and a barcode: one of them
        ({**sale_body("T-BAD", {}), "lines": [{"barcode": "00099999999999", "quantity": 1, "unit_price": "1.00"}]},
         "lines[0].barcode"),
        ({**sale_body("T-BAD", {TEE: 1}), "occurred_at": "2026-11-25T09:30:00"}, "occurred_at"),  # no zone
        ({**sale_body("T-BAD", {TEE: 1}), "occurred_at": "2099-01-01T00:00:00Z"}, "occurred_at"),
        ({k: v for k, v in sale_body("T-BAD", {TEE: 1}).items() if k != "transaction_id"}, "transaction_id"),
        (sale_body("T BAD", {TEE: 1}), "transaction_id"),
        (sale_body("T-BAD", {}), "lines"),
        (sale_body("T-BAD", {TEE: 1}, customer={"phone": "call me"}), "customer.phone"),
        (sale_body("T-BAD", {TEE: 1}, location="ST-NOWHERE"), "location"),
        (sale_body("T-BAD", {TEE: 1}, cashier="Sam"), "cashier"),
    ],
)
def test_a_malformed_sale_is_a_422_naming_the_field_and_writes_nothing(
    api: TestClient, network: Network, nyc_store: Headers, admin: Headers, engine: Engine, body: Any, field: str,
) -> None:
    headers = admin if body.get("location") == "ST-NOWHERE" else nyc_store
    before = row_counts(engine)

    details = error_of(api.post("/v1/pos/sales", headers=headers, json=body), 422, "invalid_input")

    assert any(named == field or named.startswith(f"{field}.") for named in error_fields(details)), details
    assert row_counts(engine) == before


def test_an_admin_names_the_store_and_a_batch_over_the_limit_is_refused(
    api: TestClient, network: Network, admin: Headers, engine: Engine,
) -> None:
    before = row_counts(engine)

    missing = error_of(api.post("/v1/pos/sales", headers=admin, json=sale_body("T-1", {TEE: 1})), 422,
                       "invalid_input")
    too_many = error_of(api.post("/v1/pos/sales/batch", headers=admin, json={
        "location": NYC, "sales": [sale_body(f"T-{i}", {TEE: 1}) for i in range(501)]}), 422, "invalid_input")

    bad_line = [sale_body("T-1", {TEE: 1}), sale_body("T-2", {TEE: 0})]
    malformed = error_of(api.post("/v1/pos/sales/batch", headers=admin, json={"location": NYC, "sales": bad_line}),
                         422, "invalid_input")
    assert (error_fields(missing), error_fields(too_many)) == ({"location"}, {"sales"})
    assert error_fields(malformed) == {"sales[1].lines[0].quantity"}
    error_of(api.get("/v1/locations/ST-NOWHERE/pos-conflicts", headers=admin), 404, "not_found")
    assert row_counts(engine) == before
    assert act(api, admin, "/v1/pos/sales", sale_body("T-1", {TEE: 1}, location=CHI))["location"] == CHI


def test_a_return_puts_sellable_units_back_on_the_shelf(api: TestClient, network: Network, nyc_store: Headers) -> None:
    done = act(api, nyc_store, "/v1/pos/returns", {
        "transaction_id": "R-1", "occurred_at": EARLIER, "original_transaction_id": "T-0",
        "lines": [{"sku": TEE, "quantity": 2}, {"sku": TEE, "quantity": 1, "condition": "damaged"}],
    })

    assert [(ln["quantity"], ln["condition"]) for ln in done["lines"]] == [(2, "sellable"), (1, "damaged")]
    assert balance(api, nyc_store, TEE, NYC)["on_hand"] == 7


def test_one_customer_across_a_web_order_and_a_till_sale(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, operator: Headers,
) -> None:
    body = order_body("W-1", {MUG: 1})
    body["customer"] = {"email": "Pat@Example.com", "name": "Pat Lee", "phone": "(212) 555-0100"}
    order = created(api.post("/v1/orders", headers=web_channel, json=body))
    sale = act(api, nyc_store, "/v1/pos/sales",
               sale_body("T-1", {TEE: 1}, customer={"phone": "+1 212-555-0100", "loyalty_id": "LOY 7"}))

    found = api.get("/v1/customers", headers=operator, params={"phone": "212.555.0100"})

    assert found.status_code == 200, found.text
    [profile] = found.json()["items"]
    assert profile["id"] == sale["customer_id"]
    assert [(o["id"], o["channel"], o["total"]) for o in profile["orders"]] == [(order["id"], "web", "12.00")]
    assert [(t["transaction_id"], t["location"], t["total"]) for t in profile["pos_sales"]] == [("T-1", NYC, "12.00")]
    assert {(i["kind"], i["value"]) for i in profile["identities"]} == {
        ("email", "pat@example.com"), ("phone", "+12125550100"), ("loyalty_id", "LOY7")}
    assert api.get(f"/v1/customers/{profile['id']}", headers=operator).json() == profile
    assert api.get("/v1/customers", headers=operator, params={"email": "nobody@example.com"}).json() == {"items": []}
    error_of(api.get("/v1/customers", headers=web_channel, params={"email": "pat@example.com"}), 403, "forbidden")
    error_of(api.get("/v1/customers", headers=nyc_store, params={"email": "pat@example.com"}), 403, "forbidden")
    error_of(api.get("/v1/customers", headers=operator), 422, "invalid_input")
    error_of(api.get("/v1/customers/cus_0000000000000000000000000", headers=operator), 404, "not_found")


# Sale-shaped bodies whose fields hold anything at all.
sale_shaped = st.fixed_dictionaries(
    {},
    optional={
        "transaction_id": json_values | st.just("T-1"), "occurred_at": json_values | st.just(EARLIER),
        "customer": json_values | st.fixed_dictionaries({}, optional={
            "email": json_values, "phone": json_values | st.text(max_size=20), "loyalty_id": json_values}),
        "lines": json_values | st.lists(st.fixed_dictionaries({}, optional={
            "sku": json_values | st.just(TEE), "barcode": json_values, "quantity": json_values,
            "unit_price": json_values | st.just("1.00")}), max_size=3),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=sale_shaped | json_values)
def test_any_json_at_all_posted_as_a_sale_is_never_a_5xx(
    api: TestClient, network: Network, nyc_store: Headers, body: Any,
) -> None:
    response = api.post("/v1/pos/sales", headers={**nyc_store, **JSON}, content=json.dumps(body).encode())

    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}
