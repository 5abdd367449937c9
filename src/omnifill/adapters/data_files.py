"""Configuration files that ship inside the package (`omnifill/data/`), or a retailer's own in their place."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any


def read_json(shipped: str, path: Path | None = None) -> Any:
    """The JSON at `path`, or the shipped file `omnifill/data/<shipped>` when no path is given."""
    if path is None:
        return json.loads(resources.files("omnifill").joinpath(f"data/{shipped}").read_text(encoding="utf-8"))
    return json.loads(path.read_text(encoding="utf-8"))
