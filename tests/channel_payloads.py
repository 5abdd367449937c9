"""Channel payloads written for these tests, in each channel's own format (the shapes of Shopify's Admin REST
order, WooCommerce's REST v3 order and Amazon's SP-API getOrders/getOrderItems/ORDER_CHANGE), not copies."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from omnifill.adapters.channels.signatures import signature_of

SHOPIFY_SECRET = "shpss_test_4f1c2b9a7d"
WOO_SECRET = "wc-secret-93ab71"


def shopify_line(line_id: int, sku: str, quantity: int, price: str, discount: str | None = None,
                 **changes: Any) -> dict[str, Any]:
    line: dict[str, Any] = {
        "id": line_id, "variant_id": line_id + 1000, "product_id": 632910392, "title": f"Item {sku}",
        "name": f"Item {sku} - default", "sku": sku, "quantity": quantity, "price": price, "grams": 250,
        "requires_shipping": True, "taxable": True, "gift_card": False, "fulfillment_service": "manual",
        "fulfillment_status": None, "vendor": "Acme", "properties": [],
        "tax_lines": [{"title": "NY State Tax", "price": "1.07", "rate": 0.04}],
        "discount_allocations": [] if discount is None else [{"amount": discount, "discount_application_index": 0}],
    }
    return {**line, **changes}


def shopify_order(order_id: int, lines: list[dict[str, Any]], *, shipping_title: str = "Standard Shipping",
                  location_id: int | None = None, **changes: Any) -> dict[str, Any]:
    order: dict[str, Any] = {
        "id": order_id, "name": f"#{order_id % 10000}", "order_number": order_id % 10000, "email": "ana@example.com",
        "phone": None, "currency": "USD", "financial_status": "paid", "fulfillment_status": None,
        "created_at": "2026-11-29T10:15:00-05:00", "subtotal_price": "27.00", "total_price": "33.06",
        "total_tax": "1.07", "total_discounts": "3.00", "taxes_included": False,
        "tax_lines": [{"title": "NY State Tax", "price": "1.07", "rate": 0.04}],
        "discount_codes": [{"code": "WELCOME3", "amount": "3.00", "type": "fixed_amount"}],
        "location_id": location_id, "line_items": lines,
        "shipping_lines": [{"id": 271878346, "title": shipping_title, "code": shipping_title, "price": "5.99",
                            "source": "shopify", "tax_lines": []}],
        "shipping_address": {"first_name": "Ana", "last_name": "Silva", "name": "Ana Silva",
                             "address1": "350 5th Ave", "address2": "Floor 3", "city": "New York",
                             "province": "New York", "province_code": "NY", "zip": "10001",
                             "country": "United States", "country_code": "US", "phone": "555-0100"},
        "customer": {"id": 207119551, "email": "ana@example.com", "first_name": "Ana", "last_name": "Silva"},
    }
    return {**order, **changes}


def shopify_refund(order_id: int, lines: list[tuple[str, int]], restock: bool = True) -> dict[str, Any]:
    return {
        "id": 509562969, "order_id": order_id, "created_at": "2026-11-30T09:00:00-05:00", "note": "arrived damaged",
        "restock": restock, "user_id": 799407056, "transactions": [], "order_adjustments": [],
        "refund_line_items": [
            {"id": 104689539 + n, "quantity": qty, "line_item_id": 466157049 + n,
             "line_item": {"id": 466157049 + n, "sku": sku, "quantity": qty, "price": "12.00"}}
            for n, (sku, qty) in enumerate(lines)
        ],
    }


def woo_line(line_id: int, sku: str, quantity: int, total: str, **changes: Any) -> dict[str, Any]:
    line: dict[str, Any] = {
        "id": line_id, "name": f"Item {sku}", "product_id": 93, "variation_id": 0, "quantity": quantity,
        "tax_class": "", "subtotal": total, "subtotal_tax": "0.45", "total": total, "total_tax": "0.45",
        "taxes": [{"id": 75, "total": "0.45", "subtotal": "0.45"}], "meta_data": [], "sku": sku, "price": 3,
    }
    return {**line, **changes}


def woo_order(order_id: int, lines: list[dict[str, Any]], *, status: str = "processing",
              shipping_line: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    order: dict[str, Any] = {
        "id": order_id, "parent_id": 0, "number": str(order_id), "order_key": f"wc_order_{order_id}",
        "created_via": "checkout", "status": status, "currency": "USD", "date_created_gmt": "2026-11-29T15:00:00",
        "discount_total": "2.00", "shipping_total": "10.00", "total": "29.35", "total_tax": "1.35",
        "prices_include_tax": False, "customer_id": 26, "payment_method": "bacs",
        "billing": {"first_name": "John", "last_name": "Doe", "company": "", "address_1": "969 Market",
                    "address_2": "", "city": "San Francisco", "state": "CA", "postcode": "94103", "country": "US",
                    "email": "john.doe@example.com", "phone": "(555) 555-5555"},
        "shipping": {"first_name": "John", "last_name": "Doe", "company": "", "address_1": "350 5th Ave",
                     "address_2": "", "city": "New York", "state": "NY", "postcode": "10001", "country": "US"},
        "line_items": lines,
        "tax_lines": [{"id": 318, "rate_code": "US-NY-STATE TAX", "rate_id": 75, "label": "State Tax",
                       "compound": False, "tax_total": "1.35", "shipping_tax_total": "0.00", "meta_data": []}],
        "shipping_lines": [shipping_line or {"id": 317, "method_title": "Flat Rate", "method_id": "flat_rate",
                                             "total": "10.00", "total_tax": "0.00", "taxes": [], "meta_data": []}],
        "fee_lines": [], "coupon_lines": [{"id": 319, "code": "save2", "discount": "2.00"}], "refunds": [],
    }
    return {**order, **changes}


def amazon_order(order_id: str, status: str = "Unshipped", **changes: Any) -> dict[str, Any]:
    order: dict[str, Any] = {
        "AmazonOrderId": order_id, "PurchaseDate": "2026-11-29T19:49:35Z", "LastUpdateDate": "2026-11-29T19:55:00Z",
        "OrderStatus": status, "FulfillmentChannel": "MFN", "SalesChannel": "Amazon.com",
        "ShipServiceLevel": "Std US D2D Dom", "ShipmentServiceLevelCategory": "Standard",
        "OrderTotal": {"CurrencyCode": "USD", "Amount": "41.97"}, "NumberOfItemsShipped": 0,
        "NumberOfItemsUnshipped": 3, "PaymentMethod": "Other", "MarketplaceId": "ATVPDKIKX0DER",
        "OrderType": "StandardOrder", "EarliestShipDate": "2026-11-30T08:00:00Z",
        "LatestShipDate": "2026-12-02T07:59:59Z", "IsBusinessOrder": False, "IsPrime": False,
        "ShippingAddress": {"Name": "Lee Park", "AddressLine1": "1 Cross St.", "City": "Philadelphia",
                            "StateOrRegion": "PA", "PostalCode": "19103", "CountryCode": "US"},
        "BuyerInfo": {"BuyerEmail": "x7kq2@marketplace.amazon.com", "BuyerName": "Lee Park"},
    }
    return {**order, **changes}


def amazon_item(item_id: str, seller_sku: str, quantity: int, item_price: str, promotion: str | None = None,
                ) -> dict[str, Any]:
    item: dict[str, Any] = {
        "ASIN": "B00TEST001", "OrderItemId": item_id, "SellerSKU": seller_sku, "Title": f"Item {seller_sku}",
        "QuantityOrdered": quantity, "QuantityShipped": 0,
        "ItemPrice": {"CurrencyCode": "USD", "Amount": item_price},
        "ItemTax": {"CurrencyCode": "USD", "Amount": "1.20"},
        "ShippingPrice": {"CurrencyCode": "USD", "Amount": "0.00"},
    }
    if promotion is not None:
        item["PromotionDiscount"] = {"CurrencyCode": "USD", "Amount": promotion}
        item["PromotionIds"] = ["PROMO-1"]
    return item


def amazon_import(orders: list[dict[str, Any]], items: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The import body: a getOrders response and, per AmazonOrderId, its getOrderItems response."""
    return {
        "orders": {"payload": {"Orders": orders, "CreatedBefore": "2026-11-30T10:00:00Z"}},
        "items": {oid: {"payload": {"AmazonOrderId": oid, "OrderItems": found}} for oid, found in items.items()},
    }


def amazon_order_change(order_id: str, change_type: str = "OrderStatusChange",
                        status: str = "Canceled") -> dict[str, Any]:
    return {
        "NotificationVersion": "1.0", "NotificationType": "ORDER_CHANGE", "PayloadVersion": "1.0",
        "EventTime": "2026-11-30T09:10:00.000Z",
        "Payload": {"OrderChangeNotification": {
            "NotificationLevel": "OrderLevel", "SellerId": "A3TH9S8BH6GOGM", "AmazonOrderId": order_id,
            "OrderChangeType": change_type,
            "OrderChangeTrigger": {"TimeOfOrderChange": "2026-11-30T09:09:00.000Z", "ChangeReason": "Cancel"},
            "Summary": {"MarketplaceId": "ATVPDKIKX0DER", "OrderStatus": status, "FulfillmentType": "MFN",
                        "OrderType": "StandardOrder", "NumberOfItemsShipped": 0, "NumberOfItemsUnshipped": 0},
        }},
        "NotificationMetadata": {"ApplicationId": "app-id-1", "SubscriptionId": "sub-1",
                                 "PublishTime": "2026-11-30T09:10:00.000Z", "NotificationId": "n-1"},
    }


def raw(payload: dict[str, Any]) -> bytes:
    """The body bytes as a shop would send them (compact JSON)."""
    return json.dumps(payload, separators=(",", ":")).encode()


def shopify_headers(topic: str, body: bytes, secret: str = SHOPIFY_SECRET) -> dict[str, str]:
    return {"X-Shopify-Topic": topic, "X-Shopify-Hmac-Sha256": signature_of(secret, body),
            "X-Shopify-Shop-Domain": "acme-test.myshopify.com", "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37",
            "Content-Type": "application/json"}


def woo_headers(topic: str, body: bytes, secret: str = WOO_SECRET) -> dict[str, str]:
    return {"X-WC-Webhook-Topic": topic, "X-WC-Webhook-Signature": signature_of(secret, body),
            "X-WC-Webhook-Source": "https://shop.example.com/", "X-WC-Webhook-ID": "12",
            "Content-Type": "application/json"}


def lowered(headers: dict[str, str]) -> dict[str, str]:
    """Headers as the service receives them from the route (lower-case names)."""
    return {name.lower(): value for name, value in headers.items()}


# Any JSON at all, with the values that break arithmetic or storage when not refused.
EXTREMES = st.sampled_from(["1e300", 1e300, -1e300, 10**30, -(10**30), "NaN", "-Infinity", "-5", -1, 0, "", " "])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | EXTREMES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


def fuzzed(payload: Any, data: st.DataObject) -> Any:
    """The payload with any member, at any depth, possibly replaced by any JSON at all."""
    if isinstance(payload, dict):
        return {k: data.draw(json_values) if data.draw(st.integers(0, 9)) == 0 else fuzzed(v, data)
                for k, v in payload.items()}
    if isinstance(payload, list):
        return [fuzzed(v, data) for v in payload]
    return payload
