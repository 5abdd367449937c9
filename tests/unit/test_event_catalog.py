"""docs/EVENTS.md lists every event type the code emits.

The source is read, not run: every call to `DomainEvent(...)` or to a helper named `*_event(...)` whose first
argument is a literal type ("order.placed"), and every literal type handed to a helper that builds one
("order.rerouted" passed on to `_save`), must appear in the catalog as `type`; a type built from a status
(f"order.{order.status}") must appear as its family, `order.<status>`. A feature that adds an event and forgets
the catalog fails here.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "omnifill"
CATALOG = ROOT / "docs" / "EVENTS.md"
EVENT_TYPE = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if (name == "DomainEvent" or name.endswith("_event")) and node.args:
                yield node


def _family(value: ast.JoinedStr) -> str | None:
    """f"order.{…}" → "order.<status>"."""
    first = value.values[0] if value.values else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.endswith("."):
        return f"{first.value}<status>"
    return None


def emitted() -> tuple[set[str], set[str]]:
    """(literal types, families) the source emits."""
    types: set[str] = set()
    families: set[str] = set()
    trees = [ast.parse(path.read_text(), str(path)) for path in sorted(SOURCE.rglob("*.py"))]
    for tree in trees:
        for call in _calls(tree):
            first = call.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and EVENT_TYPE.fullmatch(first.value):
                types.add(first.value)
            elif isinstance(first, ast.JoinedStr) and (family := _family(first)):
                families.add(family)
    prefixes = {t.split(".")[0] for t in types} | {f.split(".")[0] for f in families}
    for tree in trees:  # literal types passed through a helper to the call that builds the event
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    if (isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                            and EVENT_TYPE.fullmatch(arg.value) and arg.value.split(".")[0] in prefixes):
                        types.add(arg.value)
    return types, families


def test_the_scan_finds_the_events_it_should() -> None:
    types, families = emitted()
    assert {"order.placed", "order.rerouted", "sku.created", "inventory.movement_recorded"} <= types
    assert {"order.<status>", "fulfillment.<status>", "shipment.<status>"} <= families


def test_every_emitted_event_type_is_in_the_catalog() -> None:
    catalog = CATALOG.read_text()
    types, families = emitted()
    missing = sorted(t for t in types | families if f"`{t}`" not in catalog)
    assert missing == [], f"add these event types to docs/EVENTS.md: {missing}"
