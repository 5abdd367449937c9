"""Channels over HTTP: configuration, signed webhooks (201 → duplicate 200 → cancellation), a refused payload
kept and replayed, a bad signature that stores nothing, Amazon imports by API and CLI, the availability feed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from typer.testing import CliRunner

from omnifill.entrypoints.cli import app as cli
from tests.channel_payloads import (
    SHOPIFY_SECRET,
    WOO_SECRET,
    amazon_import,
    amazon_item,
    amazon_order,
    amazon_order_change,
    fuzzed,
    raw,
    shopify_headers,
    shopify_line,
    shopify_order,
    woo_headers,
    woo_line,
    woo_order,
)
from tests.e2e.conftest import (
    CHI,
    MUG,
    NYC,
    TEE,
    Headers,
    Keys,
    Network,
    balance,
    created,
    error_of,
    ledger_and_balances,
    list_all,
    row_counts,
    sku_body,
)

SHOP_HOOK = "/v1/channels/shop/webhooks/orders"


def configure(api: TestClient, admin: Headers) -> None:
    created(api.post("/v1/channels", headers=admin, json={
        "code": "shop", "kind": "shopify", "secret": SHOPIFY_SECRET, "pickup_locations": {"905684977": NYC}}))
    created(api.post("/v1/channels", headers=admin, json={"code": "woo", "kind": "woocommerce",
                                                          "secret": WOO_SECRET}))
    created(api.post("/v1/channels", headers=admin, json={
        "code": "amazon", "kind": "amazon", "allocation": {"share": {"warehouse": 0.8, "store": 0}, "buffer": 2}}))


def post_shopify(api: TestClient, topic: str, payload: dict[str, Any], secret: str = SHOPIFY_SECRET) -> Any:
    body = raw(payload)
    return api.post(SHOP_HOOK, content=body, headers=shopify_headers(topic, body, secret))


def test_channel_configuration_is_admins_and_never_shows_the_secret(
    api: TestClient, network: Network, admin: Headers, operator: Headers, keys: Keys,
) -> None:
    configure(api, admin)
    shown = api.get("/v1/channels/shop", headers=admin).json()
    assert shown == {"code": "shop", "kind": "shopify", "has_secret": True, "allocation": None,
                     "pickup_locations": {"905684977": NYC}, "updated_at": shown["updated_at"]}
    assert SHOPIFY_SECRET not in api.get("/v1/channels", headers=admin).text
    amazon = api.get("/v1/channels/amazon", headers=admin).json()["allocation"]
    assert amazon == {"share": {"warehouse": "0.8", "store": "0"}, "locations": {}, "buffer": 2}
    for headers in (operator, keys("channel:shop")):
        error_of(api.get("/v1/channels/shop", headers=headers), 403, "forbidden")
        error_of(api.patch("/v1/channels/shop", headers=headers, json={"secret": "x" * 12}), 403, "forbidden")
    error_of(api.post("/v1/channels", headers=admin, json={"code": "shop2", "kind": "shopify"}), 422,
             "invalid_input")
    details = error_of(api.post("/v1/channels", headers=admin, json={
        "code": "shop3", "kind": "shopify", "secret": "s" * 12, "pickup_locations": {"1": "ST-NOWHERE"}}),
        422, "invalid_input")
    assert details["errors"][0]["field"] == "pickup_locations.1"
    error_of(api.post("/v1/channels", headers=admin, json={"code": "shop", "kind": "shopify", "secret": "s" * 12}),
             409, "already_exists")


def test_shopify_webhook_201_then_duplicate_200_then_cancellation(
    api: TestClient, network: Network, admin: Headers, engine: Engine,
) -> None:
    configure(api, admin)
    payload = shopify_order(450789469, [shopify_line(1, TEE, 2, "12.00", discount="2.00")])

    first = post_shopify(api, "orders/create", payload)

    assert first.status_code == 201, first.text
    order = first.json()["order"]
    assert (order["channel"], order["external_id"], order["lines"]) == (
        "shop", "450789469", [{"sku": TEE, "quantity": 2, "unit_price": "11.00"}])
    assert order["channel_data"]["discount_codes"] == [{"code": "WELCOME3", "amount": "3.00", "type": "fixed_amount"}]
    before = row_counts(engine)
    again = post_shopify(api, "orders/create", payload)
    assert (again.status_code, again.json()["result"], again.json()["order_id"]) == (200, "duplicate", order["id"])
    assert row_counts(engine) == before
    cancelled = post_shopify(api, "orders/cancelled", payload)
    assert (cancelled.status_code, cancelled.json()["result"]) == (200, "cancelled")
    assert api.get(f"/v1/orders/{order['id']}", headers=admin).json()["status"] == "cancelled"
    assert balance(api, admin, TEE, order["fulfillments"][0]["location"])["reserved"] == 0
    sums, levels = ledger_and_balances(engine)
    assert sums == levels


def test_a_bad_signature_is_401_and_nothing_is_stored(
    api: TestClient, network: Network, admin: Headers, engine: Engine,
) -> None:
    configure(api, admin)
    before = row_counts(engine)
    payload = shopify_order(1, [shopify_line(1, TEE, 1, "12.00")])
    error_of(post_shopify(api, "orders/create", payload, secret="not-the-secret"), 401, "bad_signature")
    body = raw(payload)
    unsigned = {"X-Shopify-Topic": "orders/create", "Content-Type": "application/json"}
    error_of(api.post(SHOP_HOOK, content=body, headers=unsigned), 401, "bad_signature")
    tampered = shopify_headers("orders/create", body)
    error_of(api.post(SHOP_HOOK, content=body.replace(b'"quantity":1', b'"quantity":9'), headers=tampered),
             401, "bad_signature")
    assert row_counts(engine) == before
    error_of(api.post("/v1/channels/nowhere/webhooks/orders", content=body, headers=tampered), 404, "not_found")


def test_unknown_sku_is_422_with_its_path_kept_then_replayed_after_the_sku_is_added(
    api: TestClient, network: Network, admin: Headers, keys: Keys,
) -> None:
    configure(api, admin)
    payload = shopify_order(1002, [shopify_line(1, TEE, 1, "12.00"), shopify_line(2, "CAP-RED", 1, "9.00")])

    details = error_of(post_shopify(api, "orders/create", payload), 422, "invalid_input")

    assert details["errors"] == [{"field": "line_items[1].sku",
                                  "problem": "unknown SKU CAP-RED: no catalog SKU or GTIN matches"}]
    [kept] = list_all(api, keys("channel:shop"), "/v1/channels/shop/rejected")
    assert (kept["id"], kept["status"], kept["error"]["field"]) == (details["rejected_id"], "rejected",
                                                                   "line_items[1].sku")
    assert kept["body"] == raw(payload).decode()
    error_of(api.get("/v1/channels/shop/rejected", headers=keys("channel:woo")), 403, "forbidden")
    created(api.post("/v1/skus", headers=admin, json=sku_body("CAP-RED")))
    created(api.post("/v1/inventory/movements", headers=admin, json={
        "sku": "CAP-RED", "location": CHI, "kind": "receipt", "quantity": 3, "reason": "PO 1"}))

    replayed = api.post(f"/v1/channels/shop/rejected/{kept['id']}/replay", headers=admin)

    assert replayed.status_code == 201, replayed.text
    assert [ln["sku"] for ln in replayed.json()["order"]["lines"]] == [TEE, "CAP-RED"]
    assert list_all(api, admin, "/v1/channels/shop/rejected", status="rejected") == []
    error_of(api.post(f"/v1/channels/shop/rejected/{kept['id']}/replay", headers=admin), 409, "invalid_transition")
    assert post_shopify(api, "orders/create", payload).status_code == 200  # the channel's retry: a duplicate


def test_woocommerce_ping_order_and_cancellation(api: TestClient, network: Network, admin: Headers) -> None:
    configure(api, admin)
    hook = "/v1/channels/woo/webhooks/orders"
    ping = api.post(hook, content=b"webhook_id=12", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (ping.status_code, ping.json()["result"]) == (200, "ignored")
    order = woo_order(727, [woo_line(315, MUG, 1, "12.00")])
    body = raw(order)
    assert api.post(hook, content=body, headers=woo_headers("order.created", body)).status_code == 201
    error_of(api.post(hook, content=body, headers=woo_headers("order.created", body, "wrong")), 401, "bad_signature")
    cancelled = raw({**order, "status": "cancelled"})
    answer = api.post(hook, content=cancelled, headers=woo_headers("order.updated", cancelled))
    assert (answer.status_code, answer.json()["result"]) == (200, "cancelled")


def test_amazon_import_by_api_then_a_cancel_notification(
    api: TestClient, network: Network, admin: Headers, keys: Keys,
) -> None:
    configure(api, admin)
    body = amazon_import([amazon_order("113-1")], {"113-1": [amazon_item("1", TEE, 2, "24.00")]})
    amazon = keys("channel:amazon")
    answer = api.post("/v1/channels/amazon/import", headers=amazon, content=raw(body))
    assert answer.status_code == 200, answer.text
    [placed] = answer.json()["items"]
    assert (placed["external_id"], placed["result"]) == ("113-1", "placed")
    error_of(api.post("/v1/channels/amazon/import", headers=keys("channel:shop"), content=raw(body)), 403,
             "forbidden")
    error_of(api.post("/v1/channels/amazon/import", content=raw(body)), 401, "unauthenticated")
    details = error_of(api.post("/v1/channels/amazon/import", headers=amazon, content=b'{"orders": {}}'), 422,
                       "invalid_input")
    assert details["errors"][0]["field"] == "orders.payload"
    cancel = api.post("/v1/channels/amazon/import", headers=amazon, content=raw(amazon_order_change("113-1")))
    assert [i["result"] for i in cancel.json()["items"]] == ["cancelled"]
    assert api.get(f"/v1/orders/{placed['order_id']}", headers=amazon).json()["status"] == "cancelled"


def test_amazon_import_from_the_command_line(
    api: TestClient, network: Network, admin: Headers, database_url: str, tmp_path: Path,
) -> None:
    configure(api, admin)
    file = tmp_path / "orders.json"
    file.write_bytes(raw(amazon_import([amazon_order("114-1"), amazon_order("114-2")],
                                       {"114-1": [amazon_item("1", MUG, 1, "12.00")],
                                        "114-2": [amazon_item("2", "NOPE", 1, "1.00")]})))
    result = CliRunner().invoke(cli, ["import", "amazon", str(file)], env={"OMNIFILL_DATABASE_URL": database_url})
    assert result.exit_code == 2, result.output  # one order refused
    lines = result.output.splitlines()
    assert lines[0].startswith("114-1: placed ord_")
    assert lines[1].startswith("114-2: rejected rej_")
    [order] = list_all(api, admin, "/v1/orders", channel="amazon")
    assert order["external_id"] == "114-1"


def test_the_availability_feed_applies_the_channels_allocation(
    api: TestClient, network: Network, admin: Headers, keys: Keys,
) -> None:
    configure(api, admin)
    amazon = keys("channel:amazon")
    feed = api.get("/v1/channels/amazon/availability", headers=amazon)
    assert feed.status_code == 200, feed.text
    # Warehouse only, 80 %, less 2: TEE floor(20 × 0.8) − 2 = 14; MUG floor(10 × 0.8) − 2 = 6
    assert (feed.json()["items"], feed.json()["complete"]) == (
        [{"sku": MUG, "sellable": 6}, {"sku": TEE, "sellable": 14}], True)
    since = datetime.now(UTC).isoformat()  # after every write above, before the one below
    error_of(api.get("/v1/channels/amazon/availability", headers=keys(f"store:{NYC}")), 403, "forbidden")
    error_of(api.get("/v1/channels/amazon/availability", headers=keys("channel:shop")), 403, "forbidden")
    whole = api.get("/v1/channels/shop/availability", headers=keys("channel:shop")).json()["items"]
    assert whole == [{"sku": MUG, "sellable": 12}, {"sku": TEE, "sellable": 28}]  # no rules: the whole network
    created(api.post("/v1/inventory/movements", headers=admin, json={
        "sku": TEE, "location": CHI, "kind": "adjustment", "quantity": -5, "reason": "damaged"}))
    changed = api.get("/v1/channels/amazon/availability", headers=amazon, params={"updated_since": since}).json()
    assert (changed["items"], changed["complete"]) == ([{"sku": TEE, "sellable": 10}], False)


def test_a_nul_character_in_a_signed_payload_is_refused_where_it_is_and_kept(
    api: TestClient, network: Network, admin: Headers,
) -> None:
    configure(api, admin)
    line = shopify_line(1, TEE, 1, "12.00")
    line["sku"] = "TEE\u0000"
    details = error_of(post_shopify(api, "orders/create", shopify_order(1003, [line])), 422, "invalid_input")
    assert details["errors"][0]["field"] == "line_items[0].sku"
    [kept] = list_all(api, admin, "/v1/channels/shop/rejected")
    assert kept["id"] == details["rejected_id"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_signed_payload_is_never_a_5xx(api: TestClient, network: Network, admin: Headers,
                                           data: st.DataObject) -> None:
    if api.get("/v1/channels/shop", headers=admin).status_code == 404:
        configure(api, admin)
    payload = fuzzed(shopify_order(data.draw(st.integers(1, 10**12)), [
        shopify_line(1, TEE, 1, "12.00", discount="1.00"), shopify_line(2, MUG, 2, "3.00")]), data)
    response = post_shopify(api, data.draw(st.sampled_from(["orders/create", "orders/cancelled", "refunds/create"])),
                            payload)
    assert response.status_code < 500, response.text


def test_a_rotated_secret_signs_from_then_on_and_allocation_null_is_the_whole_network_again(
    api: TestClient, network: Network, admin: Headers,
) -> None:
    configure(api, admin)
    changed = api.patch("/v1/channels/shop", headers=admin, json={"secret": "rotated-secret-2026"})
    assert (changed.status_code, changed.json()["has_secret"]) == (200, True)
    payload = shopify_order(1010, [shopify_line(1, TEE, 1, "12.00")])
    error_of(post_shopify(api, "orders/create", payload), 401, "bad_signature")
    assert post_shopify(api, "orders/create", payload, secret="rotated-secret-2026").status_code == 201
    reset = api.patch("/v1/channels/amazon", headers=admin, json={"allocation": None}).json()
    assert reset["allocation"] is None
    error_of(api.patch("/v1/channels/shop", headers=admin, json={"secret": None}), 422, "invalid_input")


def test_a_shopify_pickup_is_placed_at_the_mapped_store(api: TestClient, network: Network, admin: Headers) -> None:
    configure(api, admin)
    payload = shopify_order(1011, [shopify_line(1, TEE, 1, "12.00")], shipping_title="Store Pickup",
                            location_id=905684977, shipping_address=None)
    answer = post_shopify(api, "orders/create", payload)
    assert answer.status_code == 201, answer.text
    order = answer.json()["order"]
    assert (order["delivery"], order["ship_to"]) == ({"method": "pickup", "location": NYC}, None)
    assert [f["location"] for f in order["fulfillments"]] == [NYC]
