"""A dark store's hourly order capacity holds at intake: a full hour sends the next order elsewhere, the next hour
takes orders again; the same-day radius keeps far customers away."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from omnifill.adapters.sql.tables import location_hour_loads
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.errors import InsufficientStock, InvalidInput
from omnifill.domain.locations import Capability, LocationKind
from omnifill.domain.orders import Address, Customer, Delivery, DeliveryMethod, OrderDraft, OrderLine, ServiceLevel
from omnifill.services.catalog import LocationDraft, create_location
from omnifill.services.orders import place_order
from tests.conftest import NOW
from tests.factories import ZIP, add_sku, pickup_order, stock

SAME_DAY = frozenset({Capability.SHIP, Capability.SAME_DAY})


def dark_store(uow: UnitOfWork, code: str, zip_code: str, hourly: int | None = None) -> None:
    create_location(uow, LocationDraft(code=code, name=code, kind=LocationKind.DARK_STORE, postal_code=zip_code,
                                       capabilities=SAME_DAY, service_radius_miles=10.0,
                                       hourly_order_capacity=hourly), NOW)


def same_day(external_id: str, zip_code: str = ZIP["NYC"]) -> OrderDraft:
    return OrderDraft("web", external_id, Customer(email="pat@example.com"), Address(zip_code),
                      Delivery(DeliveryMethod.SHIP, ServiceLevel.SAME_DAY), (OrderLine("A", 1, Decimal("12.00")),))


@pytest.fixture
def network(sqlite_uow: UnitOfWork) -> UnitOfWork:
    add_sku(sqlite_uow, NOW, "A")
    dark_store(sqlite_uow, "DS-MIDTOWN", ZIP["NYC"], hourly=2)
    dark_store(sqlite_uow, "DS-BROOKLYN", "11211")
    stock(sqlite_uow, {("A", "DS-MIDTOWN"): 10, ("A", "DS-BROOKLYN"): 10})
    return sqlite_uow


def placed_at(uow: UnitOfWork, external_id: str, minutes: int) -> str:
    placed = place_order(uow, same_day(external_id), "channel:web", NOW + timedelta(minutes=minutes))
    assert placed.order is not None
    [work] = placed.order.fulfillments
    return work.location


def test_the_hourly_capacity_holds_and_frees_up_with_the_next_hour(network: UnitOfWork) -> None:
    # NOW is 10:00 in New York: three orders within the hour, then one at 11:05
    assert [placed_at(network, f"S-{n}", n) for n in range(3)] == ["DS-MIDTOWN", "DS-MIDTOWN", "DS-BROOKLYN"]
    assert placed_at(network, "S-4", 65) == "DS-MIDTOWN"

    with network.engine.connect() as connection:
        counted = connection.execute(select(location_hour_loads.c.day, location_hour_loads.c.hour,
                                            location_hour_loads.c.fulfillments)
                                     .order_by(location_hour_loads.c.hour)).all()
    assert [(str(day), hour, n) for day, hour, n in counted] == [("2026-11-25", 10, 2), ("2026-11-25", 11, 1)]


def test_a_customer_beyond_every_same_day_radius_gets_no_same_day_delivery(network: UnitOfWork) -> None:
    with pytest.raises(InsufficientStock):
        place_order(network, same_day("S-PHL", ZIP["PHL"]), "channel:web", NOW)  # ~80 miles away


def test_a_dark_store_takes_no_pickup_orders(network: UnitOfWork) -> None:
    with pytest.raises(InvalidInput) as refused:
        place_order(network, pickup_order("P-1", {"A": 1}, "DS-MIDTOWN"), "channel:web", NOW)
    assert refused.value.field == "delivery.location"


def test_a_dark_store_cannot_be_given_pickup(network: UnitOfWork) -> None:
    with pytest.raises(InvalidInput) as refused:
        create_location(network, LocationDraft(code="DS-X", name="DS-X", kind=LocationKind.DARK_STORE,
                                               postal_code=ZIP["NYC"],
                                               capabilities=frozenset({Capability.SHIP, Capability.PICKUP})), NOW)
    assert refused.value.field == "capabilities"
