"""Shipping and tracking on the real adapters: rate-shop, buy the label as the work ships, follow it to the door."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from omnifill.adapters.carriers import load_carriers
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.errors import Forbidden, InvalidInput, InvalidTransition, NoCarrier, NotFound
from omnifill.domain.locations import Capability, LocationKind
from omnifill.domain.orders import Delivery, FulfillmentStatus, OrderDraft, OrderStatus, ServiceLevel
from omnifill.domain.shipping import Parcel, Shipment, ShipmentStatus, TrackingEvent, is_s10_tracking_number
from omnifill.services.fulfillment import advance, ship_purchase_order
from omnifill.services.orders import get_order, place_order
from omnifill.services.shipments import find_shipments, get_shipment, shipment_label
from omnifill.services.shipping import ship_fulfillment, track_shipment
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, ledger, levels, ship_order, stock

ADMIN = Principal.parse("admin")
GROUND, SWIFT = Principal.parse("carrier:groundline"), Principal.parse("carrier:swiftpost")
CARRIERS = load_carriers()
S = ShipmentStatus
TODAY = date(2026, 11, 25)  # NOW is 10:00 in New York, before the 15:00 cut-off: parcels leave today


@pytest.fixture
def network(sqlite_uow: UnitOfWork) -> UnitOfWork:
    add_sku(sqlite_uow, NOW, "A")  # 0.25 kg a unit
    add_location(sqlite_uow, NOW, "NYC", ZIP["NYC"])
    add_location(sqlite_uow, NOW, "VENDOR", ZIP["NYC"], kind=LocationKind.DROPSHIP_VENDOR,
                 capabilities=frozenset({Capability.SHIP}))
    stock(sqlite_uow, {("A", "NYC"): 5})
    return sqlite_uow


def packed(uow: UnitOfWork, draft: OrderDraft) -> str:
    placed = place_order(uow, draft, "channel:web", NOW)
    assert placed.order is not None
    work = placed.order.fulfillments[0].id
    for action in ("accept", "pick", "pack"):
        advance(uow, work, action, ADMIN, NOW)
    return work


def promised(draft: OrderDraft, by: date, level: ServiceLevel = ServiceLevel.STANDARD) -> OrderDraft:
    return replace(draft, delivery=Delivery(draft.delivery.method, level, promised_by=by))


def event_types(uow: UnitOfWork, entity: str) -> list[str]:
    with uow.reading() as reader:
        return [e.type for e in reader.outbox.for_entity(entity)]


def test_without_a_promise_the_cheapest_carrier_ships_it_and_the_units_leave_the_shelf(network: UnitOfWork) -> None:
    work = packed(network, ship_order("1", {"A": 2}))

    order, shipment = ship_fulfillment(network, work, CARRIERS, ADMIN, NOW)

    assert (order.status, order.fulfillments[0].status) == (OrderStatus.SHIPPED, FulfillmentStatus.SHIPPED)
    assert (shipment.carrier, shipment.cost, shipment.estimated_delivery) == ("groundline", Decimal("7.74"),
                                                                              TODAY + timedelta(days=2))
    # the carton chosen at pack: two units of 0.25 kg and the S carton's tare
    assert shipment.parcels == (Parcel(Decimal("0.650"), Decimal("23.0"), Decimal("17.0"), Decimal("10.0")),)
    assert is_s10_tracking_number(shipment.tracking_number)
    assert (order.fulfillments[0].carrier, order.fulfillments[0].tracking_number) == (
        "groundline", shipment.tracking_number)
    assert get_shipment(network, shipment.id, ADMIN) == shipment
    assert levels(network)[("A", "NYC")] == (3, 0)
    assert [(m["kind"], m["quantity"]) for m in ledger(network)][-1] == ("shipment", 2)
    with network.reading() as reader:
        [created] = reader.outbox.for_entity(shipment.id)
    assert (created.type, created.payload["quotes"]) == ("shipment.created", [
        {"carrier": "groundline", "price": "7.74", "transit_days": 2, "arrives": "2026-11-27"},
        {"carrier": "swiftpost", "price": "9.03", "transit_days": 1, "arrives": "2026-11-26"},
    ])


def test_a_promise_ground_cannot_keep_goes_to_the_faster_carrier(network: UnitOfWork) -> None:
    work = packed(network, promised(ship_order("1", {"A": 1}), TODAY + timedelta(days=1)))

    _, shipment = ship_fulfillment(network, work, CARRIERS, ADMIN, NOW)

    assert (shipment.carrier, shipment.cost, shipment.promised_by) == ("swiftpost", Decimal("9.03"), TODAY + timedelta(
        days=1))
    assert shipment.tracking_number.startswith("SW")


def test_parcels_as_packed_are_priced_each_at_their_billable_weight(network: UnitOfWork) -> None:
    work = packed(network, ship_order("1", {"A": 2}))
    boxes = [Parcel(Decimal("1.000"), Decimal(50), Decimal(40), Decimal(30)), Parcel(Decimal("0.5"))]

    _, shipment = ship_fulfillment(network, work, CARRIERS, ADMIN, NOW, boxes)

    assert (shipment.carrier, shipment.cost, shipment.parcels) == ("groundline", Decimal("23.40"), tuple(boxes))


def test_a_service_no_carrier_offers_is_refused_and_nothing_moves(network: UnitOfWork) -> None:
    placed = place_order(network, ship_order("1", {"A": 1}, zip_code=ZIP["LAX"]), "channel:web", NOW)
    assert placed.order is not None
    work = placed.order.fulfillments[0].id
    for action in ("accept", "pick", "pack"):
        advance(network, work, action, ADMIN, NOW)
    only_regional = [c for c in CARRIERS if c.code == "swiftpost"]  # it reaches 1,000 miles; Los Angeles is farther

    with pytest.raises(NoCarrier):
        ship_fulfillment(network, work, only_regional, ADMIN, NOW)

    assert get_order(network, placed.order.id, ADMIN).fulfillments[0].status is FulfillmentStatus.PACKED
    assert levels(network)[("A", "NYC")] == (5, 1)
    assert find_shipments(network, ADMIN, order_id=placed.order.id, fulfillment_id=None, tracking_number=None) == []


def test_work_that_is_not_packed_cannot_ship(network: UnitOfWork) -> None:
    placed = place_order(network, ship_order("1", {"A": 1}), "channel:web", NOW)
    assert placed.order is not None

    with pytest.raises(InvalidTransition) as refused:
        ship_fulfillment(network, placed.order.fulfillments[0].id, CARRIERS, ADMIN, NOW)

    assert refused.value.details["current_status"] == "pending"


def shipped(uow: UnitOfWork, draft: OrderDraft) -> Shipment:
    _, shipment = ship_fulfillment(uow, packed(uow, draft), CARRIERS, ADMIN, NOW)
    return shipment


def scan(status: S, hours: float, note: str | None = None) -> TrackingEvent:
    return TrackingEvent(status, NOW + timedelta(hours=hours), note, "carrier:groundline")


def test_delivery_moves_the_work_and_the_order_and_records_on_time(network: UnitOfWork) -> None:
    shipment = shipped(network, promised(ship_order("1", {"A": 1}), TODAY + timedelta(days=2)))
    later = NOW + timedelta(days=2)

    track_shipment(network, shipment.id, scan(S.IN_TRANSIT, 2), GROUND, later)
    track_shipment(network, shipment.id, scan(S.OUT_FOR_DELIVERY, 40, "on the van"), GROUND, later)
    delivered = track_shipment(network, shipment.id, scan(S.DELIVERED, 44), GROUND, later)

    assert (delivered.status, delivered.on_time, delivered.delivered_at) == (S.DELIVERED, True, NOW + timedelta(
        hours=44))
    assert [(e.status, e.note) for e in get_shipment(network, shipment.id, ADMIN).events] == [
        (S.IN_TRANSIT, None), (S.OUT_FOR_DELIVERY, "on the van"), (S.DELIVERED, None)]
    order = get_order(network, shipment.order_id, ADMIN)
    assert (order.status, order.fulfillments[0].status) == (OrderStatus.DELIVERED, FulfillmentStatus.DELIVERED)
    assert event_types(network, shipment.id) == ["shipment.created", "shipment.in_transit",
                                                 "shipment.out_for_delivery", "shipment.delivered"]
    assert event_types(network, shipment.fulfillment_id)[-1] == "fulfillment.delivered"
    assert event_types(network, order.id)[-1] == "order.delivered"
    with network.reading() as reader:
        assert reader.outbox.for_entity(shipment.id)[-1].payload["on_time"] is True
    assert levels(network)[("A", "NYC")] == (4, 0)


def test_a_parcel_delivered_after_the_promise_is_late(network: UnitOfWork) -> None:
    shipment = shipped(network, promised(ship_order("1", {"A": 1}), TODAY + timedelta(days=2)))

    delivered = track_shipment(network, shipment.id, scan(S.DELIVERED, 24 * 3), GROUND, NOW + timedelta(days=4))

    assert (delivered.on_time, delivered.due_by) == (False, TODAY + timedelta(days=2))


def test_news_after_delivery_or_out_of_order_is_refused_and_changes_nothing(network: UnitOfWork) -> None:
    shipment = shipped(network, ship_order("1", {"A": 1}))
    later = NOW + timedelta(days=3)
    track_shipment(network, shipment.id, scan(S.OUT_FOR_DELIVERY, 30), GROUND, later)

    with pytest.raises(InvalidTransition) as backwards:
        track_shipment(network, shipment.id, scan(S.IN_TRANSIT, 31), GROUND, later)
    with pytest.raises(InvalidTransition) as older:
        track_shipment(network, shipment.id, scan(S.DELIVERED, 29), GROUND, later)
    track_shipment(network, shipment.id, scan(S.DELIVERED, 32), GROUND, later)
    with pytest.raises(InvalidTransition) as after:
        track_shipment(network, shipment.id, scan(S.EXCEPTION, 33), GROUND, later)

    assert [r.value.details["current_status"] for r in (backwards, older, after)] == [
        "out_for_delivery", "out_for_delivery", "delivered"]
    assert [e.status for e in get_shipment(network, shipment.id, ADMIN).events] == [S.OUT_FOR_DELIVERY, S.DELIVERED]


def test_an_event_from_the_future_is_refused_by_name(network: UnitOfWork) -> None:
    shipment = shipped(network, ship_order("1", {"A": 1}))

    with pytest.raises(InvalidInput) as refused:
        track_shipment(network, shipment.id, scan(S.IN_TRANSIT, 1), GROUND, NOW)

    assert refused.value.field == "at"


def test_a_carrier_key_tracks_and_sees_its_own_shipments_only(network: UnitOfWork) -> None:
    shipment = shipped(network, ship_order("1", {"A": 1}))

    with pytest.raises(Forbidden):
        track_shipment(network, shipment.id, scan(S.IN_TRANSIT, 1), SWIFT, NOW + timedelta(hours=2))
    with pytest.raises(Forbidden):
        get_shipment(network, shipment.id, SWIFT)

    assert find_shipments(network, SWIFT, order_id=shipment.order_id, fulfillment_id=None, tracking_number=None) == []
    assert find_shipments(network, GROUND, order_id=None, fulfillment_id=None,
                          tracking_number=shipment.tracking_number) == [shipment]
    assert get_shipment(network, shipment.id, ADMIN).events == []


def test_a_dropship_vendors_shipment_is_recorded_with_its_carrier_and_no_label(network: UnitOfWork) -> None:
    add_sku(network, NOW, "DROP")
    stock(network, {("DROP", "VENDOR"): 3})
    placed = place_order(network, ship_order("1", {"DROP": 2}), "channel:web", NOW)
    assert placed.order is not None
    po = placed.order.fulfillments[0].id
    vendor = Principal.parse("vendor:VENDOR")

    ship_purchase_order(network, po, "ups", "1Z999AA10123456784", vendor, NOW)

    [shipment] = find_shipments(network, vendor, order_id=None, fulfillment_id=po, tracking_number=None)
    assert (shipment.carrier, shipment.tracking_number, shipment.cost, shipment.status, shipment.origin) == (
        "ups", "1Z999AA10123456784", None, S.LABEL_CREATED, "VENDOR")
    assert event_types(network, shipment.id) == ["shipment.created"]
    with pytest.raises(NotFound):
        shipment_label(network, shipment.id, vendor)
    delivered = track_shipment(network, shipment.id, scan(S.DELIVERED, 30), Principal.parse("carrier:ups"),
                               NOW + timedelta(days=2))
    assert (delivered.on_time, get_order(network, placed.order.id, ADMIN).status) == (None, OrderStatus.DELIVERED)


def test_a_vendor_cannot_ship_under_a_tracking_number_already_used(network: UnitOfWork) -> None:
    add_sku(network, NOW, "DROP")
    stock(network, {("DROP", "VENDOR"): 3})
    vendor = Principal.parse("vendor:VENDOR")
    first = place_order(network, ship_order("1", {"DROP": 1}), "channel:web", NOW).order
    second = place_order(network, ship_order("2", {"DROP": 1}), "channel:web", NOW).order
    assert first is not None
    assert second is not None
    ship_purchase_order(network, first.fulfillments[0].id, "ups", "1Z999AA10123456784", vendor, NOW)

    with pytest.raises(InvalidInput) as refused:
        ship_purchase_order(network, second.fulfillments[0].id, "ups", "1Z999AA10123456784", vendor, NOW)

    assert refused.value.field == "tracking_number"
    assert get_order(network, second.id, ADMIN).fulfillments[0].status is FulfillmentStatus.PENDING
    assert levels(network)[("DROP", "VENDOR")] == (2, 1)
