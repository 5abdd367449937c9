"""Channel allocation: what share of the network a channel may sell, and the availability events."""

from __future__ import annotations

from decimal import Decimal

import pytest

from omnifill.domain.channels import Allocation, Channel, ChannelKind, StockAt, availability_changed, sellable
from omnifill.domain.errors import InvalidInput
from omnifill.domain.inventory import MovementKind, StockLevel, movement
from omnifill.domain.locations import LocationKind
from tests.conftest import NOW

WH, ST = LocationKind.WAREHOUSE, LocationKind.STORE
STOCK = [StockAt("WH-CHI", WH, 10), StockAt("WH-MEM", WH, 7), StockAt("ST-NYC", ST, 4)]
MARKETPLACE = Allocation({WH: Decimal("0.8"), ST: Decimal(0)}, buffer=2)


def test_the_whole_network_by_default() -> None:
    assert sellable(Allocation(), STOCK) == 21


def test_a_marketplace_sees_80_percent_of_warehouse_stock_and_no_store_stock_less_its_buffer() -> None:
    # floor((10 + 7) × 0.8) = floor(13.6) = 13, less 2
    assert sellable(MARKETPLACE, STOCK) == 11


def test_a_kind_left_out_of_share_sells_nothing() -> None:
    assert sellable(Allocation({WH: Decimal(1)}), STOCK) == 17


def test_a_location_override_beats_its_kind() -> None:
    allocation = Allocation({WH: Decimal("0.8"), ST: Decimal(0)}, {"ST-NYC": Decimal("0.5"), "WH-MEM": Decimal(0)})
    assert sellable(allocation, STOCK) == 10  # floor(10 × 0.8 + 4 × 0.5)


def test_never_below_zero_and_oversold_locations_count_as_zero() -> None:
    assert sellable(MARKETPLACE, [StockAt("WH-CHI", WH, 1), StockAt("WH-MEM", WH, -3)]) == 0


@pytest.mark.parametrize("allocation", [
    lambda: Allocation({WH: Decimal("1.2")}), lambda: Allocation(locations={"X": Decimal("-0.1")}),
    lambda: Allocation(buffer=-1)])
def test_shares_outside_zero_to_one_and_negative_buffers_are_refused(allocation: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        allocation()  # type: ignore[operator]
    assert refused.value.field.startswith("allocation.")


def test_a_signed_channel_needs_its_secret() -> None:
    with pytest.raises(InvalidInput) as refused:
        Channel("shop", ChannelKind.SHOPIFY, None)
    assert refused.value.field == "secret"
    assert Channel("amazon-us", ChannelKind.AMAZON, None).secret is None


def test_a_reservation_changes_availability_and_says_from_what_to_what() -> None:
    before = StockLevel(10, 2, 1)
    row, after = movement(MovementKind.RESERVATION, "TEE", "ST-NYC", 3, before, reason="order", actor="t")
    event = availability_changed(row, after, NOW)
    assert event is not None
    assert (event.type, event.entity_id, event.payload) == ("inventory.availability_changed", "TEE", {
        "sku": "TEE", "location": "ST-NYC", "available_before": 7, "available_after": 4})


def test_a_shipment_of_reserved_units_leaves_availability_as_it_was() -> None:
    row, after = movement(MovementKind.SHIPMENT, "TEE", "ST-NYC", 2, StockLevel(10, 2), reason="ship", actor="t")
    assert availability_changed(row, after, NOW) is None
