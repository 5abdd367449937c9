"""Shopify webhooks (Admin REST order resource): orders/create, orders/cancelled, refunds/create.

Prices: a line's unit price is `price` less the discounts Shopify allocated to that line (`discount_allocations`,
else the older `total_discount`), spread over its units. Order-level discounts Shopify did not allocate to lines
stay in `channel_data` and are not spread again. Lines that need no shipping (gift cards, digital goods) are not
fulfilled and are kept in `channel_data.unfulfilled_lines`.
"""

from __future__ import annotations

from decimal import Decimal
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

SIGNATURE_HEADER = "X-Shopify-Hmac-Sha256"
TOPIC_HEADER = "X-Shopify-Topic"


def map_shopify(channel: Channel, topic: str, payload: Node) -> ChannelMessage:
    if topic == "orders/create":
        return shopify_order(channel, payload)
    if topic == "orders/cancelled":
        reason = opt_text(payload, "cancel_reason") or "cancelled on the channel"
        return Cancellation(payload.at("id").text(), f"shopify: {reason}")
    if topic == "refunds/create":
        return shopify_refund(payload)
    return Ignored(f"topic {topic} asks nothing of omnifill")


def shopify_order(channel: Channel, order: Node) -> ChannelOrder:
    lines, unfulfilled = [], []
    for item in order.at("line_items").items():
        if item.has("requires_shipping") and not item.at("requires_shipping").flag():
            unfulfilled.append(item.value)
            continue
        lines.append(_line(item))
    delivery = _delivery(channel, order)
    ship_to = None
    if delivery.method is DeliveryMethod.SHIP:
        ship_to = address(order.at("shipping_address"), "zip", "country_code",
                          ("address1", "address2", "city", "province_code"))
    return ChannelOrder(channel.code, order.at("id").text(), _customer(order), ship_to, delivery, tuple(lines),
                        _channel_data(order, unfulfilled))


def _line(item: Node) -> ChannelLine:
    quantity = positive_quantity(item.at("quantity"))
    gross = item.at("price").money() * quantity
    allocations = item.opt("discount_allocations")
    if allocations is not None:
        discount = sum((a.at("amount").money() for a in allocations.items()), Decimal(0))
    else:
        total_discount = item.opt("total_discount")
        discount = total_discount.money() if total_discount is not None else Decimal(0)
    sku = opt_text(item, "sku")
    return ChannelLine(item.path, (sku,) if sku else (), quantity, unit_price(gross - discount, quantity, item.path))


def _delivery(channel: Channel, order: Node) -> Delivery:
    first = first_shipping_line(order)
    if first is None:
        return Delivery(DeliveryMethod.SHIP, ServiceLevel.STANDARD)
    title, code = opt_text(first, "title"), opt_text(first, "code")
    if names_pickup(title, code):
        location = order.opt("location_id")
        return pickup_at(channel, (location.text() if location else None, title, code), first.path)
    return Delivery(DeliveryMethod.SHIP, service_level_named(f"{title or ''} {code or ''}"))


def _customer(order: Node) -> Customer:
    customer = order.opt("customer")
    shipping = order.opt("shipping_address") or order.opt("billing_address")
    name = opt_text(shipping, "name") if shipping else None
    if name is None and customer is not None:
        name = " ".join(t for key in ("first_name", "last_name") if (t := opt_text(customer, key))) or None
    email = opt_text(order, "email") or (opt_text(customer, "email") if customer else None)
    phone = opt_text(order, "phone") or (opt_text(shipping, "phone") if shipping else None)
    return Customer(email, name, phone)


def _channel_data(order: Node, unfulfilled: list[Any]) -> dict[str, Any]:
    kept = ("name", "order_number", "currency", "financial_status", "subtotal_price", "total_price", "total_tax",
            "total_discounts", "taxes_included", "tax_lines", "discount_codes", "shipping_lines", "created_at")
    data: dict[str, Any] = {"source": "shopify", **{k: order.value[k] for k in kept if k in order.value}}
    if (customer := order.opt("customer")) is not None and customer.has("id"):
        data["customer_id"] = customer.at("id").text()
    if unfulfilled:
        data["unfulfilled_lines"] = unfulfilled
    return data


def shopify_refund(refund: Node) -> RefundInstruction:
    """A refund's lines, by SKU; `restock` is the refund's own flag, or any line's restock_type other than
    no_restock (newer API versions)."""
    lines, restock = [], refund.at("restock").flag() if refund.has("restock") else False
    for item in refund.at("refund_line_items").items():
        sku = opt_text(item.at("line_item"), "sku")
        lines.append(RefundLine((sku,) if sku else (), positive_quantity(item.at("quantity"))))
        restock = restock or opt_text(item, "restock_type") not in (None, "no_restock")
    return RefundInstruction(refund.at("order_id").text(), refund.at("id").text(), tuple(lines), restock,
                             opt_text(refund, "note"))
