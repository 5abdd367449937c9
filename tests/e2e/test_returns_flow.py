"""Returns over HTTP: BORIS at a store that never stocked the SKU, mail returns with a label, inspection where a
damaged unit never becomes available, refunds with and without a restocking fee, exchanges through routing, the
keys' scopes and malformed bodies. Each flow ends with the ledger equal to the balances."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, update

from omnifill.adapters.sql.tables import shipments
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.config import Settings
from omnifill.entrypoints.api.app import create_app
from omnifill.services.access import create_api_key
from tests.conftest import NOW
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
    all_balances,
    balance,
    build_network,
    created,
    error_of,
    ledger_and_balances,
    location_body,
    order_body,
    row_counts,
)
from tests.e2e.test_malformed_input import json_values
from tests.factories import ZIP
from tests.labels import pages

RETURNS_WAREHOUSE = "WH-RET"


def delivered(api: TestClient, channel: Headers, admin: Headers, external_id: str, lines: dict[str, int]) -> str:
    """A web order to New York, shipped from wherever routing sent it and delivered to the customer; its id."""
    order = created(api.post("/v1/orders", headers=channel, json=order_body(external_id, lines)))
    for work in order["fulfillments"]:
        for action, payload in (("accept", None), ("pick", {}), ("pack", None)):
            act(api, admin, f"/v1/fulfillments/{work['id']}/{action}", payload)
        shipment = act(api, admin, f"/v1/fulfillments/{work['id']}/ship")["shipment"]
        act(api, admin, f"/v1/shipments/{shipment['id']}/events", {"status": "delivered"})
    return str(order["id"])


def return_body(order_id: str, lines: dict[str, int], reason: str = "size_fit", method: str = "in_store",
                **more: Any) -> dict[str, Any]:
    return {"order_id": order_id, "method": method, **more,
            "lines": [{"sku": sku, "quantity": units, "reason": reason} for sku, units in lines.items()]}


def assert_ledger_matches_balances(engine: Engine) -> None:
    sums, balances = ledger_and_balances(engine)
    assert sums == balances


def test_boris_a_store_that_never_stocked_the_sku_takes_it_back_sells_it_and_refunds_it(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, admin: Headers, keys: Keys,
    engine: Engine,
) -> None:
    order = delivered(api, web_channel, admin, "1001", {MUG: 1})
    phl_store = keys(f"store:{PHL}")
    assert (MUG, PHL) not in all_balances(api, admin)

    rma = created(api.post("/v1/returns", headers=phl_store, json=return_body(order, {MUG: 1})))
    assert (rma["status"], rma["location"], rma["label"], rma["authorized_by"]) == (
        "authorized", PHL, None, f"store:{PHL}")
    received = act(api, phl_store, f"/v1/returns/{rma['id']}/receive",
                   {"location": PHL, "lines": [{"sku": MUG, "quantity": 1, "condition": "sellable"}]})

    assert (received["status"], received["received_at"], received["lines"][0]["received"]) == ("received", [PHL], 1)
    assert balance(api, admin, MUG, PHL) == {"on_hand": 1, "reserved": 0, "safety_stock": 0, "available": 1}
    refunded = act(api, phl_store, f"/v1/returns/{rma['id']}/refund", {"method": "original_payment"})
    assert (refunded["status"], refunded["refund_method"]) == ("refunded", "original_payment")
    assert refunded["refund"] == {"lines": [{"sku": MUG, "quantity": 1, "reason": "size_fit", "unit_price": "12.00",
                                             "amount": "12.00", "restocking_fee": "0.00", "refund": "12.00"}],
                                  "shipping": "0.00", "restocking_fee": "0.00", "total": "12.00"}
    before = row_counts(engine)
    again = api.post(f"/v1/returns/{rma['id']}/refund", headers=phl_store, json={"method": "store_credit"})
    assert error_of(again, 409, "invalid_transition")["current_status"] == "refunded"
    assert row_counts(engine) == before
    assert [r["id"] for r in api.get("/v1/returns", headers=phl_store).json()["items"]] == [rma["id"]]
    assert api.get("/v1/returns", headers=keys("channel:app")).json()["items"] == []
    assert_ledger_matches_balances(engine)


def test_a_mail_return_with_a_label_where_a_damaged_unit_never_becomes_available(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, admin: Headers, engine: Engine,
) -> None:
    created(api.post("/v1/locations", headers=admin, json=location_body(
        RETURNS_WAREHOUSE, ZIP["PHL"], kind="warehouse", capabilities=["returns"])))
    order = delivered(api, web_channel, admin, "1001", {TEE: 2})

    rma = created(api.post("/v1/returns", headers=web_channel,
                           json=return_body(order, {TEE: 2}, reason="no_longer_needed", method="mail")))

    label = rma["label"]
    assert (label["returns_location"], label["carrier"], label["label_url"]) == (
        RETURNS_WAREHOUSE, "groundline", f"/v1/returns/{rma['id']}/label")
    assert label["expected_arrival"] > datetime.now(UTC).date().isoformat()
    pdf = api.get(label["label_url"], headers=web_channel)
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    [(_, _, text)] = pages(pdf.content)
    assert label["tracking_number"] in text
    assert f"Location {RETURNS_WAREHOUSE}" in text

    received = act(api, admin, f"/v1/returns/{rma['id']}/receive", {"location": RETURNS_WAREHOUSE, "lines": [
        {"sku": TEE, "quantity": 1, "condition": "sellable"},
        {"sku": TEE, "quantity": 1, "condition": "damaged", "disposition": "dispose"}]})

    assert received["status"] == "received"
    assert balance(api, admin, TEE, RETURNS_WAREHOUSE) == {"on_hand": 1, "reserved": 0, "safety_stock": 0,
                                                           "available": 1}
    found = api.get("/v1/returns/dispositions", headers=admin, params={"return": rma["id"]}).json()["items"]
    assert [(d["location"], d["condition"], d["disposition"], d["quantity"]) for d in found] == [
        (RETURNS_WAREHOUSE, "sellable", "restock", 1), (RETURNS_WAREHOUSE, "damaged", "dispose", 1)]
    queue = api.get("/v1/returns/dispositions", headers=admin, params={"waiting": "true"}).json()["items"]
    assert [d["disposition"] for d in queue] == ["dispose"]
    disposed = act(api, admin, f"/v1/returns/dispositions/{queue[0]['id']}/resolve", {"outcome": "dispose"})
    assert (disposed["outcome"], disposed["resolved_by"]) == ("dispose", "admin")
    assert balance(api, admin, TEE, RETURNS_WAREHOUSE)["on_hand"] == 1
    again = api.post(f"/v1/returns/dispositions/{queue[0]['id']}/resolve", headers=admin, json={"outcome": "restock"})
    error_of(again, 409, "invalid_transition")
    refunded = act(api, web_channel, f"/v1/returns/{rma['id']}/refund", {"method": "store_credit"})
    # 10 % restocking fee on both units (the reason is the customer's, whatever condition they came in)
    assert (refunded["refund"]["restocking_fee"], refunded["refund"]["total"]) == ("2.40", "21.60")
    assert_ledger_matches_balances(engine)


def test_a_partial_return_then_the_same_units_again_is_refused_by_line_and_writes_nothing(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, admin: Headers, engine: Engine,
) -> None:
    order = delivered(api, web_channel, admin, "1001", {TEE: 3})
    first = created(api.post("/v1/returns", headers=web_channel, json=return_body(order, {TEE: 2})))
    on_shelf = balance(api, admin, TEE, NYC)["on_hand"]
    act(api, nyc_store, f"/v1/returns/{first['id']}/receive",
        {"location": NYC, "lines": [{"sku": TEE, "quantity": 1, "condition": "sellable"}]})
    before = row_counts(engine)

    double = api.post("/v1/returns", headers=web_channel, json=return_body(order, {TEE: 2}))

    details = error_of(double, 422, "invalid_input")
    assert details["errors"] == [{"field": "lines[0].quantity",
                                  "problem": "only 1 of 3 TEE-BLK-M delivered may still be returned; 2 asked"}]
    assert row_counts(engine) == before
    partly = api.get(f"/v1/returns/{first['id']}", headers=web_channel).json()
    assert (partly["status"], partly["lines"][0]["received"]) == ("partially_received", 1)
    assert balance(api, admin, TEE, NYC)["on_hand"] == on_shelf + 1
    assert_ledger_matches_balances(engine)


def test_an_exchange_creates_a_routed_replacement_linked_to_the_return(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, admin: Headers, engine: Engine,
) -> None:
    order = delivered(api, web_channel, admin, "1001", {TEE: 1})
    rma = created(api.post("/v1/returns", headers=web_channel, json=return_body(order, {TEE: 1})))

    exchanged = act(api, web_channel, f"/v1/returns/{rma['id']}/exchange", {"exchange": [{"sku": MUG, "quantity": 1}]})

    replacement = api.get(f"/v1/orders/{exchanged['replacement_order_id']}", headers=web_channel).json()
    assert (replacement["external_id"], replacement["status"], replacement["ship_to"]["postal_code"]) == (
        f"exchange:{rma['id']}", "allocated", ZIP["NYC"])
    assert replacement["lines"] == [{"sku": MUG, "quantity": 1, "unit_price": "0.00"}]
    [work] = replacement["fulfillments"]
    assert work["location"] == NYC
    assert balance(api, admin, MUG, NYC)["reserved"] == 1
    linked = api.get("/v1/returns", headers=web_channel, params={"order": replacement["id"]}).json()["items"]
    assert [(r["id"], r["order_id"], r["replacement_order_id"]) for r in linked] == [
        (rma["id"], order, replacement["id"])]
    assert error_of(api.post(f"/v1/returns/{rma['id']}/exchange", headers=web_channel,
                             json={"exchange": [{"sku": MUG, "quantity": 1}]}), 409, "invalid_transition")
    assert_ledger_matches_balances(engine)


def test_keys_out_of_scope_get_403_and_malformed_bodies_name_the_field(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, admin: Headers, keys: Keys,
    engine: Engine,
) -> None:
    order = delivered(api, web_channel, admin, "1001", {TEE: 2})
    rma = created(api.post("/v1/returns", headers=web_channel, json=return_body(order, {TEE: 1})))
    phl_store, app_channel = keys(f"store:{PHL}"), keys("channel:app")
    before = row_counts(engine)
    receipt = {"location": NYC, "lines": [{"sku": TEE, "quantity": 1, "condition": "sellable"}]}

    error_of(api.post(f"/v1/returns/{rma['id']}/receive", headers=phl_store, json=receipt), 403, "forbidden")
    error_of(api.post(f"/v1/returns/{rma['id']}/receive", headers=web_channel, json=receipt), 403, "forbidden")
    error_of(api.post("/v1/returns", headers=app_channel, json=return_body(order, {TEE: 1})), 403, "forbidden")
    error_of(api.get(f"/v1/returns/{rma['id']}", headers=phl_store), 403, "forbidden")
    error_of(api.get("/v1/returns/analytics", headers=web_channel,
                     params={"from": "2026-11-01", "to": "2026-11-30", "group_by": "sku"}), 403, "forbidden")
    for body, field in (
        ({**receipt, "lines": [{"sku": TEE, "quantity": 0, "condition": "sellable"}]}, "lines[0].quantity"),
        ({**receipt, "lines": [{"sku": TEE, "quantity": 1, "condition": "wet"}]}, "lines[0].condition"),
        ({**receipt, "lines": [{"sku": TEE, "quantity": 1, "condition": "sellable", "disposition": "dispose"}]},
         "lines[0].disposition"),
        ({**receipt, "lines": [{"sku": MUG, "quantity": 1, "condition": "sellable"}]}, "lines[0].sku"),
        ({**receipt, "lines": [{"sku": TEE, "quantity": 2, "condition": "sellable"}]}, "lines[0].quantity"),
        ({**receipt, "location": CHI}, "location"),  # the Chicago warehouse takes no returns
        ({"lines": receipt["lines"]}, "location"),
    ):
        refused = api.post(f"/v1/returns/{rma['id']}/receive", headers=admin, json=body)
        assert error_of(refused, 422, "invalid_input")["errors"][0]["field"] == field, body
    for body, field in (
        (return_body(order, {TEE: 1}, reason="bored"), "lines[0].reason"),
        (return_body(order, {TEE: 1}, method="drone"), "method"),
        ({**return_body(order, {TEE: 1}), "lines": []}, "lines"),
        ({**return_body(order, {TEE: 1}), "order_id": ""}, "order_id"),
        (return_body(order, {TEE: 1}, location=CHI), "location"),
    ):
        refused = api.post("/v1/returns", headers=admin, json=body)
        assert error_of(refused, 422, "invalid_input")["errors"][0]["field"] == field, body
    refused = api.post(f"/v1/returns/{rma['id']}/refund", headers=admin, json={"method": "cash"})
    assert error_of(refused, 422, "invalid_input")["errors"][0]["field"] == "method"
    error_of(api.get("/v1/returns/rma_nope", headers=admin), 404, "not_found")
    assert row_counts(engine) == before


def test_return_rates_by_sku_for_operators(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, admin: Headers, operator: Headers,
) -> None:
    order = delivered(api, web_channel, admin, "1001", {TEE: 2, MUG: 2})
    rma = created(api.post("/v1/returns", headers=web_channel, json=return_body(order, {TEE: 1})))
    act(api, nyc_store, f"/v1/returns/{rma['id']}/receive",
        {"location": NYC, "lines": [{"sku": TEE, "quantity": 1, "condition": "sellable"}]})
    today = datetime.now(UTC).date().isoformat()

    found = api.get("/v1/returns/analytics", headers=operator, params={"from": today, "to": today, "group_by": "sku"})

    assert found.status_code == 200, found.text
    assert found.json() == {"from": today, "to": today, "group_by": "sku", "groups": [
        {"group": MUG, "returned_units": 0, "sold_units": 2, "return_rate": "0.0000"},
        {"group": TEE, "returned_units": 1, "sold_units": 2, "return_rate": "0.5000"}]}
    by_reason = api.get("/v1/returns/analytics", headers=operator,
                        params={"from": today, "to": today, "group_by": "reason"}).json()["groups"]
    assert by_reason == [{"group": "size_fit", "returned_units": 1, "sold_units": 4, "return_rate": "0.2500"}]
    backwards = api.get("/v1/returns/analytics", headers=operator,
                        params={"from": today, "to": "2000-01-01", "group_by": "sku"})
    assert error_of(backwards, 422, "invalid_input")["errors"][0]["field"] == "to"


@pytest.fixture
def final_sale_api(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """The app with a retailer's own policy: mugs are a final sale."""
    policy = json.loads((Path(__file__).parents[2] / "src/omnifill/data/return_policy.json").read_text())
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({**policy, "final_sale_skus": [MUG]}))
    app = create_app(Settings(database_url=database_url, return_policy_file=path))
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def test_a_final_sale_sku_is_refused_with_a_clear_422(final_sale_api: TestClient, engine: Engine) -> None:
    admin = {"Authorization": f"Bearer {create_api_key(UnitOfWork(engine), 'admin', NOW)[0]}"}
    build_network(final_sale_api, admin)
    order = delivered(final_sale_api, admin, admin, "1001", {TEE: 1, MUG: 1})

    refused = final_sale_api.post("/v1/returns", headers=admin, json=return_body(order, {TEE: 1, MUG: 1}))

    assert error_of(refused, 422, "invalid_input")["errors"] == [
        {"field": "lines[1].sku", "problem": f"{MUG} was a final sale and cannot be returned"}]


def test_a_return_after_the_window_is_refused_naming_the_line(
    api: TestClient, network: Network, web_channel: Headers, admin: Headers, engine: Engine,
) -> None:
    order = delivered(api, web_channel, admin, "1001", {TEE: 1})
    # The parcel came 31 days ago: a tracking event cannot be back-dated before its shipment, so the test moves
    # the recorded delivery instead.
    with engine.begin() as connection:
        connection.execute(update(shipments).where(shipments.c.order_id == order)
                           .values(delivered_at=datetime.now(UTC) - timedelta(days=31)))
    before = row_counts(engine)

    refused = api.post("/v1/returns", headers=web_channel, json=return_body(order, {TEE: 1}))

    [problem] = error_of(refused, 422, "invalid_input")["errors"]
    assert problem["field"] == "lines[0].sku"
    assert problem["problem"].startswith(f"the return window for {TEE} (30 days from ")
    assert row_counts(engine) == before


return_shaped = st.fixed_dictionaries({}, optional={
    "order_id": json_values, "method": json_values | st.sampled_from(["in_store", "mail"]),
    "location": json_values | st.just(NYC),
    "lines": json_values | st.lists(st.fixed_dictionaries({}, optional={
        "sku": json_values | st.just(TEE), "quantity": json_values, "reason": json_values,
        "condition": json_values | st.just("damaged"), "disposition": json_values}), max_size=3),
    "exchange": json_values,
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=return_shaped | json_values, action=st.sampled_from(["", "/receive", "/refund", "/exchange"]))
def test_any_json_at_all_is_never_a_5xx(
    api: TestClient, network: Network, web_channel: Headers, admin: Headers, body: Any, action: str,
) -> None:
    path = "/v1/returns" + (f"/{_one_return(api, web_channel, admin)}{action}" if action else "")

    response = api.post(path, headers={**admin, "Content-Type": "application/json"}, content=json.dumps(body).encode())

    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}


def _one_return(api: TestClient, channel: Headers, admin: Headers) -> str:
    """The return every example posts to: made once per test database."""
    found = api.get("/v1/returns", headers=admin).json()["items"]
    if found:
        return str(found[0]["id"])
    order = delivered(api, channel, admin, "F-1", {TEE: 2})
    return str(created(api.post("/v1/returns", headers=channel, json=return_body(order, {TEE: 2})))["id"])
