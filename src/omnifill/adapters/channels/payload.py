"""Reading a channel's JSON with the path of every value, so a payload we cannot use names where it failed."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from omnifill.domain.errors import InvalidInput

_PENNY = Decimal("0.0001")
_LARGEST_AMOUNT = Decimal(10) ** 9  # as POST /v1/orders allows: nine digits before the point
_MOST_UNITS = 1_000_000  # as POST /v1/orders allows on one line


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
        if not amount.is_finite() or abs(amount) >= _LARGEST_AMOUNT:
            raise InvalidInput(self.path, "must be an amount below 1,000,000,000")
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
        root = Node(json.loads(body, parse_constant=_no_constant))
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInput("body", f"not valid JSON: {error}") from None
    _refuse_nul(root)
    return root


def _no_constant(name: str) -> None:
    # NaN and Infinity are not JSON; Python reads them, but no answer or JSON column could carry them on.
    raise ValueError(f"{name} is not a JSON value")


def _refuse_nul(node: Node) -> None:
    """A NUL character anywhere is refused where it is, as the API refuses it in a body: no database text holds
    one, and no channel sends one in earnest."""
    if isinstance(node.value, str) and "\x00" in node.value:
        raise InvalidInput(node.path or "body", "must not contain a NUL character")
    if isinstance(node.value, dict):
        for key, child in node.members():
            if "\x00" in key:
                raise InvalidInput(node.path or "body", "a member name must not contain a NUL character")
            _refuse_nul(child)
    elif isinstance(node.value, list):
        for child in node.items():
            _refuse_nul(child)


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
    if not 0 < quantity <= _MOST_UNITS:
        raise InvalidInput(node.path, f"must be from 1 to {_MOST_UNITS:,}")
    return quantity
