"""Amazon Selling Partner API orders: getOrders + getOrderItems responses, and ORDER_CHANGE notifications.

An import body is `{"orders": <getOrders response>, "items": {"<AmazonOrderId>": <getOrderItems response>}}`;
`split_import` cuts it into one document per order (the same shape with one order), so each order is placed,
refused and replayed on its own. A notification body (`"NotificationType": "ORDER_CHANGE"`) is one document.

Only merchant-fulfilled orders (FulfillmentChannel MFN) are ours to fulfil; Amazon ships AFN orders itself.
Unshipped and PartiallyShipped orders are placed; Canceled cancels; Pending orders carry no address yet and
wait. ItemPrice is the price of the line's whole quantity; PromotionDiscount comes off it; taxes are kept.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from omnifill.adapters.channels.delivery import address
from omnifill.adapters.channels.payload import Node, opt_text, positive_quantity, unit_price
from omnifill.domain.channel_orders import Cancellation, ChannelLine, ChannelMessage, ChannelOrder, Ignored
from omnifill.domain.channels import Channel
from omnifill.domain.errors import InvalidInput
from omnifill.domain.orders import Customer, Delivery, DeliveryMethod, ServiceLevel

PLACED_STATUSES = frozenset({"Unshipped", "PartiallyShipped"})
_SERVICE_LEVELS = {"Expedited": ServiceLevel.EXPRESS, "NextDay": ServiceLevel.EXPRESS,
                   "SecondDay": ServiceLevel.EXPRESS, "SameDay": ServiceLevel.SAME_DAY}


def split_import(body: Node) -> list[tuple[str, bytes]]:
    """(AmazonOrderId, one-order document) for each order of an import; a notification is one document."""
    if body.has("NotificationType"):
        order_id = body.at("Payload").at("OrderChangeNotification").at("AmazonOrderId").text()
        return [(order_id, json.dumps(body.value).encode())]
    items = body.opt("items")
    found = []
    for order in body.at("orders").at("payload").at("Orders").items():
        order_id = order.at("AmazonOrderId").text()
        one = {"orders": {"payload": {"Orders": [order.value]}},
               "items": {order_id: items.value.get(order_id)} if items is not None and items.has(order_id) else {}}
        found.append((order_id, json.dumps(one).encode()))
    return found


def map_amazon(channel: Channel, document: Node) -> ChannelMessage:
    """One order's document (from `split_import`), or an ORDER_CHANGE notification."""
    if document.has("NotificationType"):
        return _order_change(document)
    orders = document.at("orders").at("payload").at("Orders")
    if len(found := orders.items()) != 1:
        raise InvalidInput(orders.path, "one order per document: post a whole getOrders response to the import")
    order = found[0]
    order_id, status = order.at("AmazonOrderId").text(), order.at("OrderStatus").text()
    if status == "Canceled":
        return Cancellation(order_id, "amazon: order canceled", order.at("AmazonOrderId").path)
    if opt_text(order, "FulfillmentChannel") == "AFN":
        return Ignored("fulfilled by Amazon (AFN): Amazon ships it")
    if status not in PLACED_STATUSES:
        return Ignored(f"an Amazon order in status {status} is not placed (only Unshipped or PartiallyShipped)")
    return amazon_order(channel, order, document.at("items").at(order_id).at("payload").at("OrderItems"))


def amazon_order(channel: Channel, order: Node, items: Node) -> ChannelOrder:
    lines = tuple(line for item in items.items() if (line := _line(item)) is not None)
    shipping = order.at("ShippingAddress")
    buyer = order.opt("BuyerInfo")
    customer = Customer(opt_text(buyer, "BuyerEmail") if buyer else None,
                        (opt_text(buyer, "BuyerName") if buyer else None) or opt_text(shipping, "Name"),
                        opt_text(shipping, "Phone"))
    level = _SERVICE_LEVELS.get(opt_text(order, "ShipmentServiceLevelCategory") or "", ServiceLevel.STANDARD)
    ship_to = address(shipping, "PostalCode", "CountryCode",
                      ("AddressLine1", "AddressLine2", "AddressLine3", "City", "StateOrRegion"))
    return ChannelOrder(channel.code, order.at("AmazonOrderId").text(), customer, ship_to,
                        Delivery(DeliveryMethod.SHIP, level), lines, _channel_data(order, items))


def _line(item: Node) -> ChannelLine | None:
    if item.at("QuantityOrdered").integer() == 0:  # an item the buyer cancelled before the order reached us
        return None
    quantity = positive_quantity(item.at("QuantityOrdered"))
    price = item.opt("ItemPrice")
    total = price.at("Amount").money() if price is not None else Decimal(0)
    promotion = item.opt("PromotionDiscount")
    if promotion is not None:
        total -= promotion.at("Amount").money()
    return ChannelLine(item.path, (item.at("SellerSKU").text(),), quantity, unit_price(total, quantity, item.path))


def _channel_data(order: Node, items: Node) -> dict[str, Any]:
    kept = ("OrderTotal", "MarketplaceId", "SalesChannel", "PurchaseDate", "LatestShipDate", "LatestDeliveryDate",
            "IsPrime", "IsBusinessOrder", "ShipmentServiceLevelCategory", "OrderType")
    taxes = [{"SellerSKU": i.value.get("SellerSKU"), "ItemTax": i.value.get("ItemTax"),
              "ShippingTax": i.value.get("ShippingTax"), "ShippingPrice": i.value.get("ShippingPrice")}
             for i in items.items()]
    return {"source": "amazon", **{k: order.value[k] for k in kept if k in order.value}, "item_taxes": taxes}


def _order_change(notification: Node) -> ChannelMessage:
    change = notification.at("Payload").at("OrderChangeNotification")
    order_id = change.at("AmazonOrderId").text()
    kind = opt_text(change, "OrderChangeType")
    summary = change.opt("Summary")
    status = opt_text(summary, "OrderStatus") if summary else None
    if kind == "OrderStatusChange" and status == "Canceled":
        return Cancellation(order_id, "amazon: order canceled", change.at("AmazonOrderId").path)
    return Ignored(f"ORDER_CHANGE {kind} to {status}: only a change to Canceled acts here "
                   "(a buyer's cancel request is answered in Seller Central)")
