"""SKUs and locations through the use cases, on a real SQLite database."""

from __future__ import annotations

import dataclasses
from datetime import time
from decimal import Decimal
from typing import Any

import pytest

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.catalog import Sku
from omnifill.domain.errors import AlreadyExists, InvalidInput, NotFound
from omnifill.domain.locations import Capability, GeoPoint, LocationKind
from omnifill.services.catalog import (
    LocationDraft,
    create_location,
    create_sku,
    get_location,
    get_sku,
    list_locations,
    list_skus,
    update_location,
)
from tests.conftest import NOW
from tests.factories import SHIP_PICKUP, ZIP, add_location

GTIN = "4006381333931"  # a valid EAN-13


def sku(code: str = "MUG-WHT", gtin: str | None = GTIN) -> Sku:
    return Sku(code, "White mug", Decimal("2.50"), Decimal("9.99"), Decimal("0.400"), gtin)


def draft(code: str = "NYC-1", postal_code: str = ZIP["NYC"], **overrides: Any) -> LocationDraft:
    base = LocationDraft(
        code=code, name="Herald Square", kind=LocationKind.STORE, postal_code=postal_code, capabilities=SHIP_PICKUP,
    )
    return dataclasses.replace(base, **overrides)


def event_types(uow: UnitOfWork, entity_id: str) -> list[str]:
    with uow.reading() as reader:
        return [e.type for e in reader.outbox.for_entity(entity_id)]


# --- SKUs -------------------------------------------------------------------------------------


def test_create_sku_stores_it_exactly(sqlite_uow: UnitOfWork) -> None:
    create_sku(sqlite_uow, sku(), NOW)

    assert get_sku(sqlite_uow, "MUG-WHT") == sku()
    assert event_types(sqlite_uow, "MUG-WHT") == ["sku.created"]


def test_duplicate_sku_code_is_refused(sqlite_uow: UnitOfWork) -> None:
    create_sku(sqlite_uow, sku(), NOW)

    with pytest.raises(AlreadyExists) as refused:
        create_sku(sqlite_uow, dataclasses.replace(sku(gtin=None), name="Another mug"), NOW)

    assert refused.value.details == {"sku": "MUG-WHT"}
    assert list_skus(sqlite_uow, None, 10) == [sku()]
    assert event_types(sqlite_uow, "MUG-WHT") == ["sku.created"]


def test_duplicate_gtin_is_refused_naming_its_holder(sqlite_uow: UnitOfWork) -> None:
    create_sku(sqlite_uow, sku(), NOW)

    with pytest.raises(AlreadyExists) as refused:
        create_sku(sqlite_uow, sku("MUG-BLK"), NOW)

    assert refused.value.details == {"gtin": GTIN, "sku": "MUG-WHT"}
    assert list_skus(sqlite_uow, None, 10) == [sku()]
    assert event_types(sqlite_uow, "MUG-BLK") == []


def test_skus_without_gtin_do_not_collide(sqlite_uow: UnitOfWork) -> None:
    create_sku(sqlite_uow, sku("A", gtin=None), NOW)
    create_sku(sqlite_uow, sku("B", gtin=None), NOW)

    assert [s.code for s in list_skus(sqlite_uow, None, 10)] == ["A", "B"]


def test_unknown_sku_is_not_found(sqlite_uow: UnitOfWork) -> None:
    with pytest.raises(NotFound) as refused:
        get_sku(sqlite_uow, "NOPE")

    assert refused.value.details == {"sku": "NOPE"}


# --- locations --------------------------------------------------------------------------------


def test_create_location_takes_position_and_time_zone_from_the_zip_code(sqlite_uow: UnitOfWork) -> None:
    created = create_location(sqlite_uow, draft(), NOW)

    assert created.position == GeoPoint(40.7484, -73.9967)
    assert created.time_zone == "America/New_York"
    assert get_location(sqlite_uow, "NYC-1") == created
    assert event_types(sqlite_uow, "NYC-1") == ["location.created"]


def test_a_west_coast_zip_code_gets_pacific_time(sqlite_uow: UnitOfWork) -> None:
    created = create_location(sqlite_uow, draft("LAX-1", ZIP["LAX"]), NOW)

    assert created.time_zone == "America/Los_Angeles"
    assert created.position == GeoPoint(34.0614, -118.2385)


def test_given_coordinates_and_time_zone_win_over_the_zip_code(sqlite_uow: UnitOfWork) -> None:
    created = create_location(
        sqlite_uow, draft(latitude=40.7505, longitude=-73.9934, time_zone="America/Detroit"), NOW
    )

    assert created.position == GeoPoint(40.7505, -73.9934)
    assert created.time_zone == "America/Detroit"


def test_unknown_postal_code_without_coordinates_is_refused(sqlite_uow: UnitOfWork) -> None:
    with pytest.raises(InvalidInput) as refused:
        create_location(sqlite_uow, draft(postal_code="00000"), NOW)

    assert refused.value.field == "postal_code"
    assert list_locations(sqlite_uow, None, 10) == []


def test_unknown_postal_code_with_coordinates_still_needs_a_time_zone(sqlite_uow: UnitOfWork) -> None:
    with pytest.raises(InvalidInput) as refused:
        create_location(sqlite_uow, draft(postal_code="00000", latitude=18.4, longitude=-66.1), NOW)

    assert refused.value.field == "time_zone"
    assert list_locations(sqlite_uow, None, 10) == []


def test_unknown_postal_code_with_coordinates_and_time_zone_is_accepted(sqlite_uow: UnitOfWork) -> None:
    created = create_location(
        sqlite_uow, draft(postal_code="00000", latitude=18.4, longitude=-66.1, time_zone="America/Puerto_Rico"), NOW
    )

    assert (created.position, created.time_zone) == (GeoPoint(18.4, -66.1), "America/Puerto_Rico")


def test_duplicate_location_code_is_refused(sqlite_uow: UnitOfWork) -> None:
    first = create_location(sqlite_uow, draft(), NOW)

    with pytest.raises(AlreadyExists) as refused:
        create_location(sqlite_uow, draft(postal_code=ZIP["CHI"]), NOW)

    assert refused.value.details == {"location": "NYC-1"}
    assert list_locations(sqlite_uow, None, 10) == [first]


def test_update_location_changes_only_the_given_fields(sqlite_uow: UnitOfWork) -> None:
    before = create_location(sqlite_uow, draft(daily_order_capacity=200), NOW)

    updated = update_location(sqlite_uow, "NYC-1", {"fulfillment_enabled": False, "name": "Herald Sq."}, NOW)

    expected = dataclasses.replace(before, fulfillment_enabled=False, name="Herald Sq.")
    assert updated == expected
    assert get_location(sqlite_uow, "NYC-1") == expected
    with sqlite_uow.reading() as reader:
        last = reader.outbox.for_entity("NYC-1")[-1]
    assert (last.type, last.payload["changed"]) == ("location.updated", ["fulfillment_enabled", "name"])


def test_update_location_leaves_other_locations_alone(sqlite_uow: UnitOfWork) -> None:
    add_location(sqlite_uow, NOW, "PHL", ZIP["PHL"])
    phl = get_location(sqlite_uow, "PHL")
    create_location(sqlite_uow, draft(), NOW)

    update_location(sqlite_uow, "NYC-1", {"capabilities": frozenset({Capability.PICKUP})}, NOW)

    assert get_location(sqlite_uow, "PHL") == phl
    assert get_location(sqlite_uow, "NYC-1").capabilities == frozenset({Capability.PICKUP})


def test_updating_an_unknown_location_is_not_found(sqlite_uow: UnitOfWork) -> None:
    with pytest.raises(NotFound):
        update_location(sqlite_uow, "NOPE", {"fulfillment_enabled": False}, NOW)

    assert list_locations(sqlite_uow, None, 10) == []


# --- ship cut-off -----------------------------------------------------------------------------


def test_a_location_ships_until_three_in_the_afternoon_unless_told_otherwise(sqlite_uow: UnitOfWork) -> None:
    created = create_location(sqlite_uow, draft(), NOW)

    assert created.ship_cutoff == time(15, 0)
    assert get_location(sqlite_uow, "NYC-1").ship_cutoff == time(15, 0)


def test_a_given_ship_cutoff_is_stored_and_announced(sqlite_uow: UnitOfWork) -> None:
    created = create_location(sqlite_uow, draft(ship_cutoff=time(17, 30)), NOW)

    assert created.ship_cutoff == time(17, 30)
    assert get_location(sqlite_uow, "NYC-1") == created
    assert list_locations(sqlite_uow, None, 10) == [created]
    with sqlite_uow.reading() as reader:
        assert reader.outbox.for_entity("NYC-1")[0].payload["ship_cutoff"] == "17:30"


def test_changing_the_ship_cutoff_reads_back_at_once_and_changes_nothing_else(sqlite_uow: UnitOfWork) -> None:
    before = create_location(sqlite_uow, draft(), NOW)
    get_location(sqlite_uow, "NYC-1")  # the row's Location is now memoized on its column values

    updated = update_location(sqlite_uow, "NYC-1", {"ship_cutoff": time(11, 45)}, NOW)

    assert updated == dataclasses.replace(before, ship_cutoff=time(11, 45))
    assert get_location(sqlite_uow, "NYC-1") == updated
    with sqlite_uow.reading() as reader:
        last = reader.outbox.for_entity("NYC-1")[-1]
    assert (last.payload["changed"], last.payload["ship_cutoff"]) == (["ship_cutoff"], "11:45")
