"""Channel webhooks, imports, the rejected list and the availability feed through the use cases, on both DBs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from omnifill.adapters.sql.tables import channel_rejections, orders, outbox_events
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.catalog import Sku
from omnifill.domain.channels import Allocation, Channel, ChannelKind
from omnifill.domain.errors import (
    BadSignature,
    Forbidden,
    InsufficientStock,
    InvalidInput,
    InvalidTransition,
    NotFound,
)
from omnifill.domain.locations import LocationKind
from omnifill.domain.orders import Order, OrderStatus
from omnifill.domain.returns import Condition, Disposition, ReceivedLine
from omnifill.services.catalog import create_sku
from omnifill.services.channel_intake import Outcome, import_orders, list_rejected, receive_webhook, replay_rejected
from omnifill.services.channels import channel_availability, create_channel, update_channel
from omnifill.services.inventory import set_safety_stock
from omnifill.services.orders import get_order
from omnifill.services.return_receiving import Receipt, receive_return
from omnifill.services.returns import list_returns
from tests.channel_payloads import (
    SHOPIFY_SECRET,
    WOO_SECRET,
    amazon_import,
    amazon_item,
    amazon_order,
    lowered,
    raw,
    shopify_headers,
    shopify_line,
    shopify_order,
    shopify_refund,
    woo_headers,
    woo_line,
    woo_order,
)
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, levels, stock
from tests.service.test_returns import deliver

ADMIN = Principal.parse("admin")
LATER = NOW + timedelta(minutes=5)


@pytest.fixture
def network(uow: UnitOfWork) -> UnitOfWork:
    """TEE and MUG in stock at a Chicago warehouse and a New York store; a Shopify, a WooCommerce and an Amazon
    channel, the Amazon one selling 80 % of warehouse stock, no store stock, less 2."""
    for sku in ("TEE", "MUG"):
        add_sku(uow, NOW, sku)
    add_location(uow, NOW, "WH-CHI", ZIP["CHI"], kind=LocationKind.WAREHOUSE)
    add_location(uow, NOW, "ST-NYC", ZIP["NYC"])
    stock(uow, {("TEE", "WH-CHI"): 10, ("TEE", "ST-NYC"): 4, ("MUG", "WH-CHI"): 3})
    create_channel(uow, Channel("shop", ChannelKind.SHOPIFY, SHOPIFY_SECRET,
                                pickup_locations={"905684977": "ST-NYC"}), ADMIN, NOW)
    create_channel(uow, Channel("woo", ChannelKind.WOOCOMMERCE, WOO_SECRET), ADMIN, NOW)
    create_channel(uow, Channel("amazon", ChannelKind.AMAZON, None, Allocation(
        {LocationKind.WAREHOUSE: Decimal("0.8"), LocationKind.STORE: Decimal(0)}, buffer=2)), ADMIN, NOW)
    return uow


def shopify(uow: UnitOfWork, topic: str, payload: dict[str, Any], secret: str = SHOPIFY_SECRET) -> Any:
    body = raw(payload)
    return receive_webhook(uow, "shop", lowered(shopify_headers(topic, body, secret)), body, NOW)


def placed_order(uow: UnitOfWork, outcome: Outcome) -> Order:
    assert outcome.order_id is not None, outcome
    return get_order(uow, outcome.order_id, ADMIN)


def counts(uow: UnitOfWork) -> tuple[int, ...]:
    """Orders, kept payloads and events: equal before and after means nothing was written."""
    with uow.engine.connect() as connection:
        return tuple(int(connection.execute(select(func.count()).select_from(t)).scalar_one())
                     for t in (orders, channel_rejections, outbox_events))


def event_types(uow: UnitOfWork, kind: str) -> list[dict[str, Any]]:
    with uow.engine.connect() as connection:
        return [r[0] for r in connection.execute(
            select(outbox_events.c.payload).where(outbox_events.c.type == kind).order_by(outbox_events.c.id))]


def test_a_shopify_order_is_placed_then_a_duplicate_changes_nothing_then_the_cancellation_releases_it(
    network: UnitOfWork,
) -> None:
    payload = shopify_order(1001, [shopify_line(1, "TEE", 3, "12.00", discount="3.00")])
    placed = shopify(network, "orders/create", payload)
    assert placed.result == "placed"
    order = get_order(network, placed.order_id, ADMIN)
    assert (order.channel, order.external_id, order.status) == ("shop", "1001", OrderStatus.ALLOCATED)
    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in order.lines] == [("TEE", 3, Decimal("11.0000"))]
    assert order.channel_data is not None
    assert order.channel_data["total_tax"] == "1.07"
    held = levels(network)
    before = counts(network)

    again = shopify(network, "orders/create", payload)

    assert (again.result, again.order_id) == ("duplicate", placed.order_id)
    assert (levels(network), counts(network)) == (held, before)
    cancelled = shopify(network, "orders/cancelled", {**payload, "cancel_reason": "customer"})
    assert (cancelled.result, cancelled.order_id) == ("cancelled", placed.order_id)
    assert get_order(network, placed.order_id, ADMIN).status is OrderStatus.CANCELLED
    assert levels(network) == {("TEE", "WH-CHI"): (10, 0), ("TEE", "ST-NYC"): (4, 0), ("MUG", "WH-CHI"): (3, 0)}
    assert shopify(network, "orders/cancelled", payload).result == "unchanged"


def test_a_bad_signature_is_refused_and_nothing_is_kept(network: UnitOfWork) -> None:
    before = counts(network)
    with pytest.raises(BadSignature):
        shopify(network, "orders/create", shopify_order(1002, [shopify_line(1, "TEE", 1, "12.00")]), "wrong-secret")
    body = raw(shopify_order(1002, [shopify_line(1, "TEE", 1, "12.00")]))
    with pytest.raises(BadSignature):
        receive_webhook(network, "shop", {"x-shopify-topic": "orders/create"}, body, NOW)
    assert counts(network) == before


def test_an_unknown_sku_is_kept_and_replayed_once_the_sku_exists(network: UnitOfWork) -> None:
    payload = shopify_order(1003, [shopify_line(1, "TEE", 1, "12.00"), shopify_line(2, "CAP-RED", 2, "9.00")])
    with pytest.raises(InvalidInput) as refused:
        shopify(network, "orders/create", payload)
    assert refused.value.field == "line_items[1].sku"
    rejected_id = refused.value.details["rejected_id"]
    [kept] = list_rejected(network, "shop", ADMIN, None, None, 50)
    assert (kept.id, kept.status, kept.error_field, kept.topic) == (rejected_id, "rejected", "line_items[1].sku",
                                                                    "orders/create")
    assert kept.body == raw(payload)
    assert kept.headers["x-shopify-topic"] == "orders/create"
    assert "x-shopify-hmac-sha256" not in kept.headers

    with pytest.raises(InvalidInput):  # still unknown: refused again, still kept
        replay_rejected(network, "shop", rejected_id, ADMIN, LATER)
    create_sku(network, Sku("CAP-RED", "Cap", Decimal("3.00"), Decimal("9.00"), Decimal("0.100")), NOW)
    stock(network, {("CAP-RED", "WH-CHI"): 5})
    replayed = replay_rejected(network, "shop", rejected_id, ADMIN, LATER)

    assert replayed.result == "placed"
    assert [ln.sku for ln in placed_order(network, replayed).lines] == ["TEE", "CAP-RED"]
    [kept] = list_rejected(network, "shop", ADMIN, None, None, 50)
    assert (kept.status, kept.order_id, kept.replayed_at) == ("replayed", replayed.order_id, LATER)
    with pytest.raises(InvalidTransition):
        replay_rejected(network, "shop", rejected_id, ADMIN, LATER)


def test_a_line_is_found_by_its_barcode_when_no_sku_has_that_code(network: UnitOfWork) -> None:
    create_sku(network, Sku("JAR", "Jar", Decimal("1.00"), Decimal("3.00"), Decimal("0.300"), "4006381333931"), NOW)
    stock(network, {("JAR", "WH-CHI"): 2})
    body = raw(woo_order(727, [woo_line(1, "", 1, "3.00", global_unique_id="4006381333931")]))
    placed = receive_webhook(network, "woo", lowered(woo_headers("order.created", body)), body, NOW)
    assert [ln.sku for ln in placed_order(network, placed).lines] == ["JAR"]


def test_a_woocommerce_ping_is_answered_and_a_pending_order_waits_for_payment(network: UnitOfWork) -> None:
    before = counts(network)
    assert receive_webhook(network, "woo", {}, b"webhook_id=12", NOW).result == "ignored"
    body = raw(woo_order(728, [woo_line(1, "TEE", 1, "12.00")], status="pending"))
    assert receive_webhook(network, "woo", lowered(woo_headers("order.created", body)), body, NOW).result == "ignored"
    assert counts(network) == before


def test_a_cancellation_of_an_order_never_placed_is_kept_for_replay(network: UnitOfWork) -> None:
    with pytest.raises(InvalidInput) as refused:
        shopify(network, "orders/cancelled", shopify_order(9999, []))
    assert refused.value.field == "id"
    assert [r.topic for r in list_rejected(network, "shop", ADMIN, "rejected", None, 50)] == ["orders/cancelled"]


def returns_of(uow: UnitOfWork, order_id: str) -> list[Any]:
    return list_returns(uow, ADMIN, order_id=order_id, status=None, location=None, after=None, limit=50)


def test_a_refund_without_restock_is_recorded_and_nothing_is_expected_back(network: UnitOfWork) -> None:
    placed = shopify(network, "orders/create", shopify_order(1004, [shopify_line(1, "TEE", 2, "12.00")]))
    received = shopify(network, "refunds/create", shopify_refund(1004, [("TEE", 1)], restock=False))
    assert (received.result, received.order_id) == ("refund_received", placed.order_id)
    assert event_types(network, "channel.refund_received") == [{
        "channel": "shop", "order_id": placed.order_id, "external_id": "1004", "refund_id": "509562969",
        "restock": False, "note": "arrived damaged", "lines": [{"identifiers": ["TEE"], "quantity": 1}]}]
    assert returns_of(network, placed.order_id) == []


def test_a_refund_with_restock_authorizes_the_return_once_and_the_unit_comes_back(network: UnitOfWork) -> None:
    placed = shopify(network, "orders/create", shopify_order(1004, [shopify_line(1, "TEE", 2, "12.00")]))
    deliver(network, get_order(network, placed.order_id, ADMIN))
    received = shopify(network, "refunds/create", shopify_refund(1004, [("TEE", 1)]))
    again = shopify(network, "refunds/create", shopify_refund(1004, [("TEE", 1)]))  # the webhook redelivered
    assert (received.result, again.result) == ("return_authorized", "return_authorized")
    [rma] = returns_of(network, placed.order_id)
    assert [(ln.sku, ln.quantity, ln.reason) for ln in rma.lines] == [("TEE", 1, "refunded_on_channel")]
    before = levels(network)[("TEE", "ST-NYC")]
    receive_return(network, rma.id, Receipt("ST-NYC", (ReceivedLine("TEE", 1, Condition.SELLABLE,
                                                                     Disposition.RESTOCK),)), ADMIN, LATER)
    assert levels(network)[("TEE", "ST-NYC")] == (before[0] + 1, before[1])


def test_a_refund_with_restock_before_delivery_is_kept_to_replay(network: UnitOfWork) -> None:
    shopify(network, "orders/create", shopify_order(1004, [shopify_line(1, "TEE", 2, "12.00")]))
    with pytest.raises(InvalidInput):
        shopify(network, "refunds/create", shopify_refund(1004, [("TEE", 1)]))
    assert [r.topic for r in list_rejected(network, "shop", ADMIN, "rejected", None, 50)] == ["refunds/create"]


def test_an_amazon_import_places_each_order_on_its_own_and_keeps_the_refused_one(network: UnitOfWork) -> None:
    body = amazon_import(
        [amazon_order("111-1"), amazon_order("111-2"), amazon_order("111-3", "Pending")],
        {"111-1": [amazon_item("1", "TEE", 2, "24.00")], "111-2": [amazon_item("2", "NOPE", 1, "5.00")]})
    outcomes = import_orders(network, "amazon", raw(body), Principal.parse("channel:amazon"), NOW)
    assert [(o.external_id, o.result) for o in outcomes] == [("111-1", "placed"), ("111-2", "rejected"),
                                                            ("111-3", "ignored")]
    [kept] = list_rejected(network, "amazon", ADMIN, None, None, 50)
    assert (kept.id, kept.error_field) == (outcomes[1].rejected_id, "items.111-2.payload.OrderItems[0].sku")
    again = import_orders(network, "amazon", raw(body), ADMIN, NOW)
    # The same refused order again is the entry already kept, not a second one.
    assert [(o.result, o.rejected_id) for o in again] == [("duplicate", None), ("rejected", kept.id),
                                                          ("ignored", None)]
    assert len(list_rejected(network, "amazon", ADMIN, None, None, 50)) == 1


def test_imports_are_refused_to_other_channels_keys_and_to_other_kinds_of_channel(network: UnitOfWork) -> None:
    with pytest.raises(Forbidden):
        import_orders(network, "amazon", b"{}", Principal.parse("channel:shop"), NOW)
    with pytest.raises(InvalidInput):
        import_orders(network, "shop", b"{}", ADMIN, NOW)
    with pytest.raises(NotFound):
        import_orders(network, "nowhere", b"{}", ADMIN, NOW)


def test_every_change_of_availability_is_an_event_and_the_feed_applies_the_allocation(network: UnitOfWork) -> None:
    def feed(since: Any = None) -> dict[str, int]:
        return {s.sku: s.sellable for s in channel_availability(
            network, "amazon", Principal.parse("channel:amazon"), since, None, 500, LATER).items}

    # floor(10 × 0.8) − 2 = 6 TEE; floor(3 × 0.8) − 2 = 0 MUG
    assert feed() == {"MUG": 0, "TEE": 6}
    shopify(network, "orders/create", shopify_order(1005, [shopify_line(1, "TEE", 2, "12.00")],
                                                    shipping_address={**shopify_order(1, [])["shipping_address"],
                                                                      "zip": ZIP["CHI"]}))
    assert event_types(network, "inventory.availability_changed")[-1] == {
        "sku": "TEE", "location": "WH-CHI", "available_before": 10, "available_after": 8}
    set_safety_stock(network, "MUG", "WH-CHI", 1, "test", LATER)
    assert event_types(network, "inventory.availability_changed")[-1] == {
        "sku": "MUG", "location": "WH-CHI", "available_before": 3, "available_after": 2}

    assert feed(LATER) == {"MUG": 0}  # only what changed since; TEE changed at NOW
    assert feed(NOW) == {"MUG": 0, "TEE": 4}
    update_channel(network, "amazon", {"allocation": Allocation(buffer=0)}, ADMIN, LATER)
    assert feed(LATER) == {"MUG": 2, "TEE": 12}  # the rules changed: every SKU again


def test_the_feed_is_the_channels_own_or_an_operators(network: UnitOfWork) -> None:
    for key in ("channel:shop", "store:ST-NYC"):
        with pytest.raises(Forbidden):
            channel_availability(network, "amazon", Principal.parse(key), None, None, 10, NOW)


def test_an_order_the_network_cannot_cover_is_kept_and_placed_once_stock_arrives(network: UnitOfWork) -> None:
    with pytest.raises(InsufficientStock) as refused:
        shopify(network, "orders/create", shopify_order(1006, [shopify_line(1, "MUG", 5, "3.00")]))
    [kept] = list_rejected(network, "shop", ADMIN, "rejected", None, 50)
    assert (kept.id, kept.error_field) == (refused.value.details["rejected_id"], "lines")
    stock(network, {("MUG", "ST-NYC"): 2})
    assert replay_rejected(network, "shop", kept.id, ADMIN, LATER).result == "placed"
