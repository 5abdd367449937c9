"""Column types both databases store exactly."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Integer, TypeDecorator


class ScaledDecimal(TypeDecorator[Decimal]):
    """A Decimal kept as an integer of 10^-places units: exact on SQLite, which has no decimal type."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int) -> None:
        super().__init__()
        self.places = places
        self.scale = Decimal(10) ** places

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        return None if value is None else int((Decimal(value) * self.scale).to_integral_value())

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else (Decimal(int(value)) / self.scale).quantize(Decimal(1) / self.scale)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out; SQLite keeps no zone, so it is stored and read back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC time")
        return value.astimezone(UTC).replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# A 64-bit surrogate key that autoincrements on both databases (SQLite only does so for INTEGER).
BigId = BigInteger().with_variant(Integer(), "sqlite")
