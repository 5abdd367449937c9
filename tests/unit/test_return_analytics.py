"""Return rates on hand-computed fixtures: returned units ÷ units sold in the period, per group."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from omnifill.domain.return_analytics import GroupBy, ReturnedUnits, ReturnRate, SoldUnits, return_rates

MON, TUE = date(2026, 11, 23), date(2026, 11, 24)
RETURNED = [
    ReturnedUnits("TEE", "size_fit", "web", "ST-NYC", MON, 2),
    ReturnedUnits("TEE", "damaged", "app", "WH-CHI", TUE, 1),
    ReturnedUnits("MUG", "damaged", "web", "ST-NYC", TUE, 1),
]
SOLD = [
    SoldUnits("TEE", "web", "ST-NYC", MON, 8),
    SoldUnits("TEE", "app", "WH-CHI", MON, 2),
    SoldUnits("MUG", "web", "WH-CHI", TUE, 3),
    SoldUnits("CAP", "web", "WH-CHI", TUE, 7),  # sold, never returned: a zero rate
]


def test_by_sku_each_skus_returns_over_its_sales() -> None:
    assert return_rates(RETURNED, SOLD, GroupBy.SKU) == [
        ReturnRate("CAP", 0, 7, Decimal("0.0000")),
        ReturnRate("MUG", 1, 3, Decimal("0.3333")),
        ReturnRate("TEE", 3, 10, Decimal("0.3000")),
    ]


def test_by_reason_each_reasons_returns_over_everything_sold() -> None:
    assert return_rates(RETURNED, SOLD, GroupBy.REASON) == [
        ReturnRate("damaged", 2, 20, Decimal("0.1000")),
        ReturnRate("size_fit", 2, 20, Decimal("0.1000")),
    ]


def test_by_channel_location_and_day() -> None:
    assert return_rates(RETURNED, SOLD, GroupBy.CHANNEL) == [
        ReturnRate("app", 1, 2, Decimal("0.5000")), ReturnRate("web", 3, 18, Decimal("0.1667"))]
    # returned where received; sold where it left from: ST-NYC took back 3 of the 8 it sold
    assert return_rates(RETURNED, SOLD, GroupBy.LOCATION) == [
        ReturnRate("ST-NYC", 3, 8, Decimal("0.3750")), ReturnRate("WH-CHI", 1, 12, Decimal("0.0833"))]
    assert return_rates(RETURNED, SOLD, GroupBy.DAY) == [
        ReturnRate("2026-11-23", 2, 10, Decimal("0.2000")), ReturnRate("2026-11-24", 2, 10, Decimal("0.2000"))]


def test_a_group_with_returns_and_no_sales_has_no_rate() -> None:
    assert return_rates(RETURNED, [], GroupBy.SKU)[0] == ReturnRate("MUG", 1, 0, None)
    assert return_rates([], [], GroupBy.DAY) == []
