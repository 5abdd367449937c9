"""One entry for every channel kind: the headers its webhooks carry, and the mapping of its payloads."""

from __future__ import annotations

from omnifill.adapters.channels import shopify, woocommerce
from omnifill.adapters.channels.amazon import map_amazon
from omnifill.adapters.channels.payload import parse
from omnifill.domain.channel_orders import ChannelMessage
from omnifill.domain.channels import Channel, ChannelKind
from omnifill.domain.errors import InvalidInput

# (signature header, topic header) of the channels that push signed webhooks.
WEBHOOK_HEADERS = {
    ChannelKind.SHOPIFY: (shopify.SIGNATURE_HEADER, shopify.TOPIC_HEADER),
    ChannelKind.WOOCOMMERCE: (woocommerce.SIGNATURE_HEADER, woocommerce.TOPIC_HEADER),
}
IMPORT_TOPIC = "import"


def map_message(channel: Channel, topic: str, body: bytes) -> ChannelMessage:
    """What the payload asks; a payload that cannot be read raises InvalidInput naming its JSON path."""
    payload = parse(body)
    if channel.kind is ChannelKind.SHOPIFY:
        return shopify.map_shopify(channel, topic, payload)
    if channel.kind is ChannelKind.WOOCOMMERCE:
        return woocommerce.map_woocommerce(channel, topic, payload)
    if channel.kind is ChannelKind.AMAZON:
        return map_amazon(channel, payload)
    raise InvalidInput("channel", f"a {channel.kind} channel sends no payloads to map")
