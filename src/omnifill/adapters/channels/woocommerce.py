"""WooCommerce webhooks (REST API v3 order resource): order.created and order.updated.

The order's `status` says what to do: processing, on-hold and completed are orders to place (a duplicate is
answered 200 unchanged, so order.created and the later order.updated to processing place it once); cancelled
cancels; refunded is a refund of every line; pending, failed, draft and trash ask nothing yet. A line's unit price
is its `total` (after coupons) spread over its units; `subtotal` (before coupons) is kept as information.
"""

from __future__ import annotations

from typing import Any

from omnifill.adapters.channels.delivery import (
    address,
    first_shipping_line,
    names_pickup,
    pickup_at,
    service_level_named,
)
from omnifill.adapters.channels.payload import Node, opt_text, positive_quantity, unit_price
from omnifill.domain.channel_orders import (
    Cancellation,
    ChannelLine,
    ChannelMessage,
    ChannelOrder,
    Ignored,
    RefundInstruction,
    RefundLine,
)
from omnifill.domain.channels import Channel
from omnifill.domain.orders import Customer, Delivery, DeliveryMethod, ServiceLevel

SIGNATURE_HEADER = "X-WC-Webhook-Signature"
TOPIC_HEADER = "X-WC-Webhook-Topic"
PLACED_STATUSES = frozenset({"processing", "on-hold", "completed"})
PICKUP_METHODS = frozenset({"local_pickup", "pickup_location"})


def map_woocommerce(channel: Channel, topic: str, payload: Node) -> ChannelMessage:
    if topic not in ("order.created", "order.updated"):
        return Ignored(f"topic {topic} asks nothing of omnifill")
    status = payload.at("status").text()
    if status in PLACED_STATUSES:
        return woocommerce_order(channel, payload)
    if status == "cancelled":
        return Cancellation(payload.at("id").text(), "woocommerce: cancelled in the shop")
    if status == "refunded":
        return _full_refund(payload)
    return Ignored(f"a {status} WooCommerce order is not placed until it is paid (processing)")


def woocommerce_order(channel: Channel, order: Node) -> ChannelOrder:
    lines = tuple(_line(item) for item in order.at("line_items").items())
    delivery = _delivery(channel, order)
    ship_to = None
    if delivery.method is DeliveryMethod.SHIP:
        ship_to = address(order.at("shipping"), "postcode", "country", ("address_1", "address_2", "city", "state"))
    billing = order.opt("billing")
    customer = Customer(
        opt_text(billing, "email") if billing else None, _name(billing or order.at("shipping")),
        opt_text(billing, "phone") if billing else None,
    )
    return ChannelOrder(channel.code, order.at("id").text(), customer, ship_to, delivery, lines, _channel_data(order))


def _line(item: Node) -> ChannelLine:
    quantity = positive_quantity(item.at("quantity"))
    return ChannelLine(item.path, _identifiers(item), quantity,
                       unit_price(item.at("total").money(), quantity, item.path))


def _identifiers(item: Node) -> tuple[str, ...]:
    """The line's SKU, then its GTIN/barcode (`global_unique_id`, WooCommerce 9.2+)."""
    return tuple(t for key in ("sku", "global_unique_id") if (t := opt_text(item, key)))


def _delivery(channel: Channel, order: Node) -> Delivery:
    first = first_shipping_line(order)
    if first is None:
        return Delivery(DeliveryMethod.SHIP, ServiceLevel.STANDARD)
    method, title = opt_text(first, "method_id"), opt_text(first, "method_title")
    if method in PICKUP_METHODS or names_pickup(method):
        return pickup_at(channel, (_meta(first, "pickup_location"), title), first.path)
    return Delivery(DeliveryMethod.SHIP, service_level_named(f"{title or ''} {method or ''}"))


def _meta(node: Node, key: str) -> str | None:
    meta = node.opt("meta_data")
    for entry in meta.items() if meta is not None else []:
        if opt_text(entry, "key") == key and isinstance(entry.value.get("value"), str):
            return str(entry.value["value"])
    return None


def _name(contact: Node) -> str | None:
    return " ".join(t for key in ("first_name", "last_name") if (t := opt_text(contact, key))) or None


def _channel_data(order: Node) -> dict[str, Any]:
    kept = ("number", "currency", "total", "total_tax", "discount_total", "shipping_total", "prices_include_tax",
            "tax_lines", "coupon_lines", "shipping_lines", "payment_method", "date_created_gmt")
    data: dict[str, Any] = {"source": "woocommerce", **{k: order.value[k] for k in kept if k in order.value}}
    if order.has("customer_id"):
        data["customer_id"] = order.at("customer_id").text()
    data["line_subtotals"] = [item.value.get("subtotal") for item in order.at("line_items").items()]
    return data


def _full_refund(order: Node) -> RefundInstruction:
    """The order turned `refunded`: every line back. WooCommerce does not say whether the units were restocked
    (that is a checkbox on its refund screen), so restock is left to the return's inspection."""
    refunds = order.opt("refunds")
    last = refunds.items()[-1] if refunds is not None and refunds.value else None
    lines = tuple(
        RefundLine(_identifiers(item), positive_quantity(item.at("quantity")))
        for item in order.at("line_items").items()
    )
    return RefundInstruction(order.at("id").text(), last.at("id").text() if last else "full", lines, restock=False,
                             note=opt_text(last, "reason") if last else None)
