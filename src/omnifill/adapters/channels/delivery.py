"""How a channel's shipping line becomes a delivery: ship at a service level, or pickup at a mapped store."""

from __future__ import annotations

from collections.abc import Iterable

from omnifill.adapters.channels.payload import Node, opt_text
from omnifill.domain.channels import Channel
from omnifill.domain.errors import InvalidInput
from omnifill.domain.orders import Address, Delivery, DeliveryMethod, ServiceLevel

_EXPRESS_WORDS = ("express", "expedited", "overnight", "next day", "next-day", "nextday", "priority", "second day",
                  "secondday", "2-day", "2 day")
_SAME_DAY_WORDS = ("same day", "same-day", "sameday")
_PICKUP_WORDS = ("pickup", "pick up", "pick-up", "collect")


def service_level_named(name: str) -> ServiceLevel:
    """The service level a shipping method's name asks for: same day, express, else standard."""
    lowered = name.lower()
    if any(word in lowered for word in _SAME_DAY_WORDS):
        return ServiceLevel.SAME_DAY
    if any(word in lowered for word in _EXPRESS_WORDS):
        return ServiceLevel.EXPRESS
    return ServiceLevel.STANDARD


def names_pickup(*names: str | None) -> bool:
    return any(word in (name or "").lower() for name in names for word in _PICKUP_WORDS)


def pickup_at(channel: Channel, keys: Iterable[str | None], path: str) -> Delivery:
    """A pickup at the store the channel's configuration maps one of these channel-side names or ids to."""
    tried = [key for key in keys if key]
    for key in tried:
        if key in channel.pickup_locations:
            return Delivery(DeliveryMethod.PICKUP, location=channel.pickup_locations[key])
    raise InvalidInput(path, f"a pickup at {' / '.join(tried) or 'an unnamed place'}, which channel {channel.code}'s "
                             "pickup_locations does not map to a store")


def address(node: Node, postal_key: str, country_key: str, line_keys: tuple[str, ...]) -> Address:
    postal_code = node.at(postal_key).text()
    if not postal_code:
        raise InvalidInput(f"{node.path}.{postal_key}", "is required")
    country = opt_text(node, country_key) or "US"
    return Address(postal_code, country.upper(), tuple(t for key in line_keys if (t := opt_text(node, key))))


def first_shipping_line(order: Node) -> Node | None:
    """The order's first shipping line (Shopify and WooCommerce both call them `shipping_lines`), if any."""
    shipping = order.opt("shipping_lines")
    return shipping.items()[0] if shipping is not None and shipping.value else None
