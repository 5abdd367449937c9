"""The carton sizes a location packs in, read from a JSON file (cm and kg, as printed on the box).

The default sizes ship with the package (`omnifill/data/cartons.json`); a retailer points at its own file with
`OMNIFILL_CARTONS_FILE`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from omnifill.adapters.data_files import read_json
from omnifill.domain.errors import InvalidInput
from omnifill.domain.packing import Carton, CartonSizes


def load_carton_sizes(path: Path | None = None) -> CartonSizes:
    """The cartons of a carton file, or of the default file shipped with omnifill."""
    return carton_sizes_from(read_json("cartons.json", path))


def carton_sizes_from(document: dict[str, Any]) -> CartonSizes:
    try:
        cartons = tuple(
            Carton(str(c["code"]), _mm(c["inner_cm"]), grams(c["max_weight_kg"]), grams(c.get("tare_kg", 0)))
            for c in document["cartons"]
        )
        return CartonSizes(cartons, int(document.get("fill_percent", 80)),
                           int(document.get("grams_per_litre", 200)))
    except (KeyError, TypeError, ValueError, InvalidOperation) as error:
        raise InvalidInput("cartons_file", f"not a carton file: {error!r}") from None


def millimetres(centimetres: Decimal | float | str) -> int:
    return int((Decimal(str(centimetres)) * 10).to_integral_value())


def grams(kilograms: Decimal | float | str) -> int:
    return int((Decimal(str(kilograms)) * 1000).to_integral_value())


def _mm(inner_cm: list[Any]) -> tuple[int, int, int]:
    length, width, height = (millimetres(side) for side in inner_cm)
    return length, width, height
