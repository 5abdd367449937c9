"""Bins, put-away, pick waves and carton choice through the services, on the real SQLite adapters."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.bins import Bin, Layout
from omnifill.domain.catalog import Sku
from omnifill.domain.errors import Forbidden, InvalidInput, NotFound, NoWorkWaiting
from omnifill.domain.locations import Capability, LocationKind
from omnifill.domain.orders import Delivery, DeliveryMethod, FulfillmentStatus, Order, ServiceLevel
from omnifill.domain.packing import Carton, CartonSizes
from omnifill.services.bins import create_bin, put_away, set_layout, stock_in_bins
from omnifill.services.catalog import create_sku
from omnifill.services.fulfillment import advance, pick
from omnifill.services.orders import place_order
from omnifill.services.packing import cartons_of
from omnifill.services.picking import get_pick_wave, start_pick_wave
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, pickup_order, ship_order, stock

ADMIN = Principal.parse("admin")
WH = "CHI"
CUBE_CM = (Decimal("33.0"), Decimal("33.0"), Decimal("33.0"))


@pytest.fixture
def warehouse(sqlite_uow: UnitOfWork) -> UnitOfWork:
    """A Chicago warehouse with bins in two aisles, a Philadelphia store; SKUs A and B, 10 of each in Chicago."""
    for sku in ("A", "B"):
        add_sku(sqlite_uow, NOW, sku)
    add_location(sqlite_uow, NOW, WH, ZIP["CHI"], kind=LocationKind.WAREHOUSE,
                 capabilities=frozenset({Capability.SHIP, Capability.PICKUP}))
    add_location(sqlite_uow, NOW, "PHL", ZIP["PHL"])
    stock(sqlite_uow, {("A", WH): 10, ("B", WH): 10})
    for code, aisle, shelf in (("1-1", 1, 1), ("1-5", 1, 5), ("2-2", 2, 2), ("2-8", 2, 8)):
        create_bin(sqlite_uow, WH, Bin(code, "Z", aisle, shelf), ADMIN, NOW)
    return sqlite_uow


def placed(uow: UnitOfWork, external_id: str, lines: dict[str, int], promised_by: date | None = None) -> Order:
    draft = ship_order(external_id, lines, ZIP["CHI"])
    if promised_by:
        draft = replace(draft, delivery=Delivery(DeliveryMethod.SHIP, ServiceLevel.STANDARD, promised_by=promised_by))
    result = place_order(uow, draft, "channel:web", NOW)
    assert result.order is not None
    assert [f.location for f in result.order.fulfillments] == [WH]
    return result.order


def accepted(uow: UnitOfWork, external_id: str, lines: dict[str, int], promised_by: date | None = None) -> str:
    fulfillment_id = placed(uow, external_id, lines, promised_by).fulfillments[0].id
    advance(uow, fulfillment_id, "accept", ADMIN, NOW)
    return fulfillment_id


def in_bins(uow: UnitOfWork) -> dict[tuple[str, str], int]:
    return {(p.bin.code, p.sku): p.quantity for p in stock_in_bins(uow, WH, ADMIN)}


def test_put_away_places_no_more_than_is_on_hand_and_in_no_bin(warehouse: UnitOfWork) -> None:
    assert put_away(warehouse, WH, "1-1", "A", 6, ADMIN, NOW).unplaced == 4
    done = put_away(warehouse, WH, "2-2", "A", 4, ADMIN, NOW)

    assert (done.quantity, done.unplaced) == (4, 0)
    with pytest.raises(InvalidInput) as refused:
        put_away(warehouse, WH, "1-5", "A", 1, ADMIN, NOW)
    assert refused.value.field == "quantity"
    assert in_bins(warehouse) == {("1-1", "A"): 6, ("2-2", "A"): 4}


def test_a_store_key_sets_up_only_its_own_bins(warehouse: UnitOfWork) -> None:
    with pytest.raises(Forbidden):
        create_bin(warehouse, WH, Bin("X", "Z", 1, 1), Principal.parse("store:PHL"), NOW)
    create_bin(warehouse, "PHL", Bin("BACK-1", "BACK", 1, 1), Principal.parse("store:PHL"), NOW)
    with pytest.raises(NotFound):
        put_away(warehouse, "PHL", "NOPE", "A", 1, Principal.parse("store:PHL"), NOW)


def test_a_wave_takes_only_accepted_ship_work_here_the_oldest_promise_first(warehouse: UnitOfWork) -> None:
    later = accepted(warehouse, "W-1", {"A": 1}, date(2026, 12, 20))
    sooner = accepted(warehouse, "W-2", {"A": 1}, date(2026, 12, 10))
    placed(warehouse, "W-3", {"B": 1})  # pending: not accepted yet
    pickup = place_order(warehouse, pickup_order("P-1", {"A": 1}, WH), "channel:web", NOW).order
    assert pickup is not None
    advance(warehouse, pickup.fulfillments[0].id, "accept", ADMIN, NOW)

    wave = start_pick_wave(warehouse, WH, ADMIN, NOW, max_orders=1)

    assert [f["fulfillment_id"] for f in wave["fulfillments"]] == [sooner]
    second = start_pick_wave(warehouse, WH, ADMIN, NOW)
    assert [f["fulfillment_id"] for f in second["fulfillments"]] == [later]
    with pytest.raises(NoWorkWaiting):
        start_pick_wave(warehouse, WH, ADMIN, NOW)
    assert get_pick_wave(warehouse, WH, wave["id"], ADMIN) == wave
    with pytest.raises(NotFound):
        get_pick_wave(warehouse, "PHL", wave["id"], ADMIN)


def test_picks_take_the_units_out_of_the_bins_their_wave_drew_from(warehouse: UnitOfWork) -> None:
    put_away(warehouse, WH, "1-1", "A", 4, ADMIN, NOW)
    put_away(warehouse, WH, "2-8", "A", 4, ADMIN, NOW)
    first = accepted(warehouse, "W-1", {"A": 3})
    second = accepted(warehouse, "W-2", {"A": 2})
    wave = start_pick_wave(warehouse, WH, ADMIN, NOW)
    # equally full: the one earlier on the serpentine goes first; the first order takes from it first
    assert [(s["fulfillment_id"], s["lines"][0]["bins"]) for s in wave["sort"]] == [
        (first, [{"bin": "1-1", "quantity": 3}]),
        (second, [{"bin": "1-1", "quantity": 1}, {"bin": "2-8", "quantity": 1}]),
    ]

    pick(warehouse, second, {}, ADMIN, NOW)

    assert in_bins(warehouse) == {("1-1", "A"): 3, ("2-8", "A"): 3}
    pick(warehouse, first, {"A": 2}, ADMIN, NOW)  # a short pick: only what was found leaves the bins
    assert in_bins(warehouse) == {("1-1", "A"): 1, ("2-8", "A"): 3}


def test_packing_records_the_cartons_chosen_from_the_sizes_given(warehouse: UnitOfWork) -> None:
    side = Decimal("30.0")
    create_sku(warehouse, Sku("BIG", "Big box", Decimal("4"), Decimal("9"), Decimal("1.000"),
                              dimensions_cm=(side, side, side)), NOW)
    stock(warehouse, {("BIG", WH): 3})
    fulfillment_id = accepted(warehouse, "W-1", {"BIG": 3, "A": 1})
    pick(warehouse, fulfillment_id, {}, ADMIN, NOW)
    sizes = CartonSizes((Carton("CUBE", (330, 330, 330), 20_000, 500), Carton("FLAT", (300, 200, 50), 5_000, 100)))

    order = advance(warehouse, fulfillment_id, "pack", ADMIN, NOW, cartons=sizes)

    assert order.fulfillment(fulfillment_id).status is FulfillmentStatus.PACKED  # type: ignore[union-attr]
    found = cartons_of(warehouse, fulfillment_id, ADMIN)
    # a 30 cm cube (27 l) takes 75 % of a 33 cm cube (35.9 l): one to a carton at the 80 % fill share; the A
    # (0.25 kg, so 1.25 l) rides in the first cube's spare room rather than in a flat carton of its own
    assert [(c.number, c.carton, c.lines) for c in found] == [
        (1, "CUBE", (("A", 1), ("BIG", 1))), (2, "CUBE", (("BIG", 1),)), (3, "CUBE", (("BIG", 1),)),
    ]
    assert [(str(c.weight_kg), c.dimensions_cm) for c in found] == [("1.750", CUBE_CM), ("1.500", CUBE_CM),
                                                                    ("1.500", CUBE_CM)]
    with pytest.raises(Forbidden):
        cartons_of(warehouse, fulfillment_id, Principal.parse("store:PHL"))


def test_a_layout_naming_a_bin_the_location_lacks_is_refused(warehouse: UnitOfWork) -> None:
    floor = Layout("BENCH", {"BENCH": (0.0, 0.0), "P": (0.0, 5.0)}, (("BENCH", "P"),), {"1-1": "P", "9-9": "P"})

    with pytest.raises(InvalidInput) as refused:
        set_layout(warehouse, WH, floor, ADMIN, NOW)

    assert refused.value.field == "bins.9-9"
