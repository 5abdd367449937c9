"""Reading a channel's JSON with the path of every value, so a payload we cannot use names where it failed."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from omnifill.domain.errors import InvalidInput

_PENNY = Decimal("0.0001")


class Node:
    """A value of a parsed payload and its JSON path (`line_items[2].sku`)."""

    __slots__ = ("path", "value")

    def __init__(self, value: Any, path: str = "") -> None:
        self.value = value
        self.path = path

    def _child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def _object(self) -> dict[str, Any]:
        if not isinstance(self.value, dict):
            raise InvalidInput(self.path or "body", "must be a JSON object")
        return self.value

    def at(self, key: str) -> Node:
        """A member that must be there and not null."""
        found = self.opt(key)
        if found is None:
            raise InvalidInput(self._child_path(key), "is required")
        return found

    def opt(self, key: str) -> Node | None:
        """A member that may be missing or null."""
        value = self._object().get(key)
        return None if value is None else Node(value, self._child_path(key))

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) is not None

    def items(self) -> list[Node]:
        if not isinstance(self.value, list):
            raise InvalidInput(self.path, "must be a JSON array")
        return [Node(item, self._child_path(i)) for i, item in enumerate(self.value)]

    def members(self) -> list[tuple[str, Node]]:
        return [(key, Node(value, self._child_path(key))) for key, value in self._object().items()]

    def text(self) -> str:
        """A string, or an id sent as a number (Shopify and WooCommerce ids are integers)."""
        if isinstance(self.value, bool) or not isinstance(self.value, str | int):
            raise InvalidInput(self.path, "must be a string")
        return str(self.value).strip()

    def integer(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise InvalidInput(self.path, "must be a whole number")
        return self.value

    def money(self) -> Decimal:
        """A price as the channel writes it: a decimal string, or a JSON number (WooCommerce's `price`)."""
        if isinstance(self.value, bool) or not isinstance(self.value, str | int | float):
            raise InvalidInput(self.path, "must be an amount such as \"12.50\"")
        try:
            amount = Decimal(str(self.value))
        except InvalidOperation:
            raise InvalidInput(self.path, "must be an amount such as \"12.50\"") from None
        if not amount.is_finite():
            raise InvalidInput(self.path, "must be a finite amount")
        return amount

    def flag(self) -> bool:
        """A boolean, or Amazon's "true"/"false" strings."""
        if isinstance(self.value, bool):
            return self.value
        if self.value in ("true", "false"):
            return bool(self.value == "true")
        raise InvalidInput(self.path, "must be true or false")


def parse(body: bytes) -> Node:
    try:
        return Node(json.loads(body))
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInput("body", f"not valid JSON: {error}") from None


def opt_text(node: Node, key: str) -> str | None:
    """A string member, or None when missing, null or blank."""
    found = node.opt(key)
    text = found.text() if found is not None else ""
    return text or None


def unit_price(total: Decimal, quantity: int, path: str) -> Decimal:
    """A line's amount spread over its units, to the ten-thousandth the ledger keeps."""
    price = (total / quantity).quantize(_PENNY)
    if price < 0:
        raise InvalidInput(path, "the discounts are larger than the line's price")
    return price


def positive_quantity(node: Node) -> int:
    quantity = node.integer()
    if quantity <= 0:
        raise InvalidInput(node.path, "must be at least 1")
    return quantity
