"""Each channel's payload → the canonical message, on payloads written in each channel's own format."""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnifill.adapters.channels.amazon import split_import
from omnifill.adapters.channels.messages import map_message
from omnifill.adapters.channels.payload import parse
from omnifill.adapters.channels.signatures import signature_of, signed_by
from omnifill.domain.channel_orders import Cancellation, ChannelOrder, Ignored, RefundInstruction, RefundLine
from omnifill.domain.channels import Channel, ChannelKind
from omnifill.domain.errors import InvalidInput
from omnifill.domain.orders import Address, Customer, Delivery, DeliveryMethod, OrderLine, ServiceLevel
from tests.channel_payloads import (
    SHOPIFY_SECRET,
    WOO_SECRET,
    amazon_import,
    amazon_item,
    amazon_order,
    amazon_order_change,
    fuzzed,
    json_values,
    raw,
    shopify_line,
    shopify_order,
    shopify_refund,
    woo_line,
    woo_order,
)

SHOP = Channel("shop-us", ChannelKind.SHOPIFY, SHOPIFY_SECRET, pickup_locations={"905684977": "ST-NYC"})
WOO = Channel("woo", ChannelKind.WOOCOMMERCE, WOO_SECRET, pickup_locations={"Pick up at Market St": "ST-PHL"})
AMAZON = Channel("amazon-us", ChannelKind.AMAZON, None)


def mapped(channel: Channel, topic: str, payload: dict[str, Any]) -> Any:
    return map_message(channel, topic, raw(payload))


def refused_at(channel: Channel, topic: str, payload: dict[str, Any]) -> str:
    with pytest.raises(InvalidInput) as refused:
        mapped(channel, topic, payload)
    return refused.value.field


# ------------------------------------------------------------------------------------------------ Shopify


def test_a_shopify_order_keeps_discounted_unit_prices_customer_address_and_taxes_as_information() -> None:
    payload = shopify_order(450789469, [shopify_line(1, "TEE-BLK-M", 2, "12.00", discount="3.00"),
                                        shopify_line(2, "MUG-WHT", 1, "3.00")], shipping_title="Express Shipping")
    order = mapped(SHOP, "orders/create", payload)
    assert isinstance(order, ChannelOrder)
    assert (order.channel, order.external_id) == ("shop-us", "450789469")
    assert order.customer == Customer("ana@example.com", "Ana Silva", "555-0100")
    assert order.ship_to == Address("10001", "US", ("350 5th Ave", "Floor 3", "New York", "NY"))
    assert order.delivery == Delivery(DeliveryMethod.SHIP, ServiceLevel.EXPRESS)
    assert [(ln.path, ln.identifiers, ln.quantity, ln.unit_price) for ln in order.lines] == [
        ("line_items[0]", ("TEE-BLK-M",), 2, Decimal("10.5000")),  # (2 × 12.00 − 3.00) / 2
        ("line_items[1]", ("MUG-WHT",), 1, Decimal("3.0000")),
    ]
    assert order.channel_data["tax_lines"] == [{"title": "NY State Tax", "price": "1.07", "rate": 0.04}]
    assert (order.channel_data["total_price"], order.channel_data["customer_id"]) == ("33.06", "207119551")


def test_an_older_shopify_line_discount_is_read_from_total_discount() -> None:
    line = shopify_line(1, "TEE-BLK-M", 3, "10.00", total_discount="1.00")
    del line["discount_allocations"]
    order = mapped(SHOP, "orders/create", shopify_order(1, [line]))
    assert order.lines[0].unit_price == Decimal("9.6667")


def test_a_shopify_pickup_goes_to_the_store_its_location_id_maps_to() -> None:
    payload = shopify_order(2, [shopify_line(1, "TEE-BLK-M", 1, "12.00")], shipping_title="Store Pickup",
                            location_id=905684977, shipping_address=None)
    order = mapped(SHOP, "orders/create", payload)
    assert (order.delivery, order.ship_to) == (Delivery(DeliveryMethod.PICKUP, location="ST-NYC"), None)


def test_a_shopify_pickup_at_an_unmapped_place_names_the_shipping_line() -> None:
    payload = shopify_order(3, [shopify_line(1, "TEE-BLK-M", 1, "12.00")], shipping_title="Pickup Downtown",
                            location_id=1)
    assert refused_at(SHOP, "orders/create", payload) == "shipping_lines[0]"


def test_lines_that_need_no_shipping_are_kept_as_information_not_fulfilled() -> None:
    card = shopify_line(2, "", 1, "25.00", requires_shipping=False, gift_card=True)
    order = mapped(SHOP, "orders/create", shopify_order(4, [shopify_line(1, "TEE-BLK-M", 1, "12.00"), card]))
    assert [ln.identifiers for ln in order.lines] == [("TEE-BLK-M",)]
    assert order.channel_data["unfulfilled_lines"] == [card]


@pytest.mark.parametrize(("change", "path"), [
    (lambda o: o["line_items"][1].update(quantity="two"), "line_items[1].quantity"),
    (lambda o: o["line_items"][0].update(quantity=0), "line_items[0].quantity"),
    (lambda o: o["line_items"][1].update(price=None), "line_items[1].price"),
    (lambda o: o["shipping_address"].update(zip=""), "shipping_address.zip"),
    (lambda o: o.pop("line_items"), "line_items"),
    (lambda o: o["line_items"][0]["discount_allocations"][0].update(amount="99.00"), "line_items[0]"),
])
def test_a_malformed_shopify_order_names_the_path_that_failed(change: Any, path: str) -> None:
    payload = shopify_order(5, [shopify_line(1, "TEE-BLK-M", 1, "12.00", discount="1.00"),
                                shopify_line(2, "MUG-WHT", 1, "3.00")])
    change(payload)
    assert refused_at(SHOP, "orders/create", payload) == path


def test_a_body_that_is_not_json_is_refused_at_body() -> None:
    with pytest.raises(InvalidInput) as refused:
        map_message(SHOP, "orders/create", b"{not json")
    assert refused.value.field == "body"


def test_a_shopify_cancellation_and_refund() -> None:
    cancelled = mapped(SHOP, "orders/cancelled", shopify_order(6, [], cancel_reason="customer"))
    assert cancelled == Cancellation("6", "shopify: customer")
    refund = mapped(SHOP, "refunds/create", shopify_refund(6, [("TEE-BLK-M", 1), ("MUG-WHT", 2)]))
    assert refund == RefundInstruction("6", "509562969", (RefundLine(("TEE-BLK-M",), 1), RefundLine(("MUG-WHT",), 2)),
                                       restock=True, note="arrived damaged")


def test_a_shopify_topic_we_do_not_act_on_is_ignored() -> None:
    assert isinstance(mapped(SHOP, "orders/updated", shopify_order(7, [])), Ignored)


# ------------------------------------------------------------------------------------------------ WooCommerce


def test_a_processing_woocommerce_order_uses_line_totals_after_coupons() -> None:
    payload = woo_order(727, [woo_line(315, "TEE-BLK-M", 2, "22.00", subtotal="24.00"),
                              woo_line(316, "", 1, "3.00", global_unique_id="4006381333931")])
    order = mapped(WOO, "order.created", payload)
    assert isinstance(order, ChannelOrder)
    assert order.external_id == "727"
    assert order.customer == Customer("john.doe@example.com", "John Doe", "(555) 555-5555")
    assert order.ship_to == Address("10001", "US", ("350 5th Ave", "New York", "NY"))
    assert order.delivery == Delivery(DeliveryMethod.SHIP, ServiceLevel.STANDARD)
    assert [(ln.identifiers, ln.quantity, ln.unit_price) for ln in order.lines] == [
        (("TEE-BLK-M",), 2, Decimal("11.0000")), (("4006381333931",), 1, Decimal("3.0000"))]
    assert order.channel_data["line_subtotals"] == ["24.00", "3.00"]
    assert order.channel_data["coupon_lines"] == [{"id": 319, "code": "save2", "discount": "2.00"}]


def test_a_woocommerce_local_pickup_goes_to_the_mapped_store() -> None:
    pickup = {"id": 320, "method_title": "Pick up at Market St", "method_id": "local_pickup", "total": "0.00",
              "total_tax": "0.00", "taxes": [], "meta_data": []}
    order = mapped(WOO, "order.created", woo_order(728, [woo_line(1, "TEE-BLK-M", 1, "12.00")],
                                                  shipping_line=pickup))
    assert (order.delivery, order.ship_to) == (Delivery(DeliveryMethod.PICKUP, location="ST-PHL"), None)


@pytest.mark.parametrize(("status", "expected"), [
    ("pending", Ignored), ("failed", Ignored), ("on-hold", ChannelOrder), ("completed", ChannelOrder),
    ("cancelled", Cancellation), ("refunded", RefundInstruction)])
def test_the_woocommerce_status_says_what_to_do(status: str, expected: type) -> None:
    assert isinstance(mapped(WOO, "order.updated", woo_order(9, [woo_line(1, "TEE-BLK-M", 1, "12.00")],
                                                            status=status)), expected)


def test_a_refunded_woocommerce_order_refunds_every_line_and_leaves_restock_to_inspection() -> None:
    payload = woo_order(10, [woo_line(1, "TEE-BLK-M", 2, "24.00")], status="refunded",
                        refunds=[{"id": 726, "reason": "changed mind", "total": "-24.00"}])
    assert mapped(WOO, "order.updated", payload) == RefundInstruction(
        "10", "726", (RefundLine(("TEE-BLK-M",), 2),), restock=False, note="changed mind")


def test_a_malformed_woocommerce_line_is_named() -> None:
    payload = woo_order(11, [woo_line(1, "TEE-BLK-M", 1, "12.00"), woo_line(2, "MUG-WHT", 1, "twelve")])
    assert refused_at(WOO, "order.created", payload) == "line_items[1].total"


# ------------------------------------------------------------------------------------------------ Amazon


def one(document: bytes) -> Any:
    return map_message(AMAZON, "import", document)


def test_an_amazon_import_is_cut_into_one_document_per_order() -> None:
    body = amazon_import([amazon_order("111-0000001-0000001"), amazon_order("111-0000002-0000002")],
                         {"111-0000001-0000001": [amazon_item("1", "TEE-BLK-M", 1, "12.00")]})
    documents = split_import(parse(raw(body)))
    assert [oid for oid, _ in documents] == ["111-0000001-0000001", "111-0000002-0000002"]
    assert json.loads(documents[1][1])["items"] == {}


def test_an_unshipped_amazon_order_with_a_promotion() -> None:
    body = amazon_import([amazon_order("111-0000001-0000001", ShipmentServiceLevelCategory="NextDay")],
                         {"111-0000001-0000001": [amazon_item("1", "TEE-BLK-M", 2, "24.00", promotion="4.00"),
                                                  amazon_item("2", "MUG-WHT", 0, "0.00")]})
    [(_, document)] = split_import(parse(raw(body)))
    order = one(document)
    assert isinstance(order, ChannelOrder)
    assert order.to_draft(lambda i: i).lines == (OrderLine("TEE-BLK-M", 2, Decimal("10.0000")),)
    assert order.customer == Customer("x7kq2@marketplace.amazon.com", "Lee Park", None)
    assert order.ship_to == Address("19103", "US", ("1 Cross St.", "Philadelphia", "PA"))
    assert order.delivery.service_level is ServiceLevel.EXPRESS
    assert order.channel_data["OrderTotal"] == {"CurrencyCode": "USD", "Amount": "41.97"}
    assert order.channel_data["item_taxes"][0]["ItemTax"] == {"CurrencyCode": "USD", "Amount": "1.20"}


@pytest.mark.parametrize(("order", "expected"), [
    (amazon_order("1", "Canceled"), Cancellation), (amazon_order("1", "Pending"), Ignored),
    (amazon_order("1", FulfillmentChannel="AFN"), Ignored), (amazon_order("1", "Shipped"), Ignored)])
def test_the_amazon_order_status_says_what_to_do(order: dict[str, Any], expected: type) -> None:
    [(_, document)] = split_import(parse(raw(amazon_import([order], {"1": []}))))
    assert isinstance(one(document), expected)


def test_an_amazon_order_without_its_items_names_where_they_are_missing() -> None:
    [(_, document)] = split_import(parse(raw(amazon_import([amazon_order("111-1")], {}))))
    with pytest.raises(InvalidInput) as refused:
        one(document)
    assert refused.value.field == "items.111-1"


def test_an_order_change_to_canceled_cancels_and_a_buyer_request_is_left_to_seller_central() -> None:
    assert one(raw(amazon_order_change("111-1"))) == Cancellation(
        "111-1", "amazon: order canceled", "Payload.OrderChangeNotification.AmazonOrderId")
    assert isinstance(one(raw(amazon_order_change("111-1", "BuyerRequestedChange", "Unshipped"))), Ignored)


def test_an_unknown_identifier_is_named_by_its_line() -> None:
    order = mapped(SHOP, "orders/create", shopify_order(12, [shopify_line(1, "TEE-BLK-M", 1, "12.00"),
                                                             shopify_line(2, "NOPE", 1, "1.00")]))
    with pytest.raises(InvalidInput) as refused:
        order.to_draft({"TEE-BLK-M": "TEE-BLK-M"}.get)
    assert refused.value.field == "line_items[1].sku"


# ------------------------------------------------------------------------------------------------ signatures


def test_a_signature_verifies_only_the_exact_body_under_the_exact_secret() -> None:
    body = raw(shopify_order(13, []))
    good = signature_of(SHOPIFY_SECRET, body)
    assert signed_by(SHOPIFY_SECRET, body, good)
    assert not signed_by(SHOPIFY_SECRET, body + b" ", good)
    assert not signed_by("another-secret", body, good)
    assert not signed_by(SHOPIFY_SECRET, body, None)
    assert not signed_by(SHOPIFY_SECRET, body, "")


def test_a_nul_character_anywhere_is_refused_where_it_is() -> None:
    line = shopify_line(1, "TEE", 1, "12.00")
    line["sku"] = "TEE\u0000"
    payload = shopify_order(14, [line])
    assert refused_at(SHOP, "orders/create", payload) == "line_items[0].sku"


def test_nan_and_infinity_are_not_json() -> None:
    with pytest.raises(InvalidInput) as refused:
        map_message(SHOP, "orders/create", b'{"id": 1, "total_price": NaN}')
    assert refused.value.field == "body"


def test_an_amazon_document_of_several_orders_is_refused_not_guessed() -> None:
    body = amazon_import([amazon_order("1"), amazon_order("2")], {})
    with pytest.raises(InvalidInput) as refused:
        one(raw(body))
    assert refused.value.field == "orders.payload.Orders"


SAMPLES = [
    (SHOP, "orders/create", shopify_order(1, [shopify_line(1, "TEE", 2, "12.00", discount="1.00")],
                                          shipping_title="Store Pickup", location_id=905684977)),
    (SHOP, "refunds/create", shopify_refund(1, [("TEE", 1)])),
    (WOO, "order.updated", woo_order(2, [woo_line(1, "TEE", 1, "12.00")], status="refunded",
                                     refunds=[{"id": 3, "reason": "r"}])),
    (WOO, "order.created", woo_order(2, [woo_line(1, "TEE", 1, "12.00")], shipping_line={
        "method_id": "local_pickup", "method_title": "Pick up at Market St",
        "meta_data": [{"key": "pickup_location", "value": "Pick up at Market St"}]})),
    (AMAZON, "import", json.loads(split_import(parse(raw(amazon_import(
        [amazon_order("1")], {"1": [amazon_item("1", "TEE", 1, "12.00", promotion="1.00")]}))))[0][1])),
    (AMAZON, "import", amazon_order_change("1")),
]


@settings(max_examples=300, deadline=None)
@given(sample=st.sampled_from(SAMPLES), data=st.data())
def test_any_payload_maps_or_is_refused_naming_a_path_never_anything_else(sample: Any, data: st.DataObject) -> None:
    channel, topic, payload = sample
    refused = refusal(channel, topic, raw(fuzzed(payload, data)))
    assert refused is None or refused.field


def refusal(channel: Channel, topic: str, body: bytes) -> InvalidInput | None:
    try:
        map_message(channel, topic, body)
    except InvalidInput as refused:
        return refused
    return None


@settings(max_examples=100, deadline=None)
@given(body=json_values, sample=st.sampled_from(SAMPLES))
def test_any_json_at_all_maps_or_is_refused(body: Any, sample: Any) -> None:
    channel, topic, _ = sample
    with contextlib.suppress(InvalidInput):
        map_message(channel, topic, json.dumps(body).encode())
