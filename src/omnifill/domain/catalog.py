"""SKUs: what a retailer sells, with GTIN check digits and money as Decimal."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from omnifill.domain.errors import InvalidInput

GTIN_LENGTHS = (8, 12, 13, 14)


def gtin_check_digit(body: str) -> int:
    """GS1 mod-10 check digit for the digits before it: weights 3,1,3,… from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid_gtin(gtin: str) -> bool:
    return (
        len(gtin) in GTIN_LENGTHS
        and gtin.isascii()
        and gtin.isdigit()
        and gtin_check_digit(gtin[:-1]) == int(gtin[-1])
    )


def validate_gtin(gtin: str) -> str:
    if not is_valid_gtin(gtin):
        raise InvalidInput("gtin", "must be 8, 12, 13 or 14 digits with a valid GS1 check digit")
    return gtin


@dataclass(frozen=True, slots=True)
class Sku:
    code: str
    name: str
    unit_cost: Decimal
    unit_price: Decimal
    weight_kg: Decimal
    gtin: str | None = None
    # Length, width and height in cm, for carton choice; unknown → the volume is estimated from the weight.
    dimensions_cm: tuple[Decimal, Decimal, Decimal] | None = None

    def __post_init__(self) -> None:
        if self.gtin is not None:
            validate_gtin(self.gtin)
        if self.dimensions_cm is not None and not all(d.is_finite() and d > 0 for d in self.dimensions_cm):
            raise InvalidInput("dimensions_cm", "each of length, width and height must be more than 0")
        for field in ("unit_cost", "unit_price", "weight_kg"):
            amount: Decimal = getattr(self, field)
            if not amount.is_finite():
                raise InvalidInput(field, "must be a finite number")
            if amount < 0:
                raise InvalidInput(field, "must not be negative")
