"""Order intake and cancellation through the use cases, on a real SQLite database."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from omnifill.adapters.sql.tables import orders
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.errors import (
    DuplicateOrder,
    Forbidden,
    IdempotencyMismatch,
    InsufficientStock,
    InvalidInput,
    InvalidTransition,
    NotFound,
)
from omnifill.domain.inventory import StockLevel
from omnifill.domain.locations import Capability
from omnifill.domain.orders import Address, FulfillmentStatus, Order, OrderDraft, OrderStatus
from omnifill.services.catalog import update_location
from omnifill.services.inventory import list_balances
from omnifill.services.orders import IdempotentRequest, cancel_order, get_order, list_orders, place_order
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, ledger, levels, pickup_order, receive, ship_order, stock

ADMIN = Principal.parse("admin")


@pytest.fixture
def network(sqlite_uow: UnitOfWork) -> UnitOfWork:
    """SKUs A, B and C (cost 4.00) and stores in Philadelphia, Chicago and Los Angeles, with no stock yet."""
    for sku in ("A", "B", "C"):
        add_sku(sqlite_uow, NOW, sku)
    for code in ("PHL", "CHI", "LAX"):
        add_location(sqlite_uow, NOW, code, ZIP[code])
    return sqlite_uow


def order_count(uow: UnitOfWork) -> int:
    with uow.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(orders)).scalar_one())


def outbox_count(uow: UnitOfWork) -> int:
    with uow.reading() as reader:
        return reader.outbox.count()


def snapshot(uow: UnitOfWork) -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    return levels(uow), len(ledger(uow)), order_count(uow), outbox_count(uow)


def placed(uow: UnitOfWork, draft: OrderDraft, actor: str = "channel:web") -> Order:
    result = place_order(uow, draft, actor, NOW)
    assert result.order is not None
    return result.order


def split(order: Order) -> dict[str, dict[str, int]]:
    """Location → {SKU: units} of an order's fulfillments."""
    return {f.location: {line.sku: line.quantity for line in f.lines} for f in order.fulfillments}


# --- where an order goes ----------------------------------------------------------------------


def test_ship_order_goes_to_the_nearest_location_holding_everything(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("A", "LAX"): 5, ("B", "PHL"): 5, ("B", "LAX"): 5})

    order = placed(network, ship_order("W-1", {"A": 2, "B": 1}, zip_code=ZIP["NYC"]))

    assert split(order) == {"PHL": {"A": 2, "B": 1}}
    assert order.status is OrderStatus.ALLOCATED
    assert [f.status for f in order.fulfillments] == [FulfillmentStatus.PENDING]


def test_a_west_coast_order_goes_west(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("A", "LAX"): 5})

    order = placed(network, ship_order("W-1", {"A": 1}, zip_code=ZIP["RNO"]))

    assert split(order) == {"LAX": {"A": 1}}


def test_a_farther_location_holding_everything_beats_a_nearer_split(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("A", "LAX"): 5, ("B", "LAX"): 5})

    order = placed(network, ship_order("W-1", {"A": 1, "B": 1}))

    assert split(order) == {"LAX": {"A": 1, "B": 1}}


def test_split_uses_the_fewest_locations(network: UnitOfWork) -> None:
    # Nearest-first would take PHL, CHI and LAX; LAX (B and C) plus PHL (A) is enough.
    stock(network, {("A", "PHL"): 5, ("B", "CHI"): 5, ("B", "LAX"): 5, ("C", "LAX"): 5})

    order = placed(network, ship_order("W-1", {"A": 1, "B": 1, "C": 1}))

    assert split(order) == {"LAX": {"B": 1, "C": 1}, "PHL": {"A": 1}}
    assert levels(network)[("B", "CHI")] == (5, 0)


def test_one_line_is_split_by_quantity_nearest_first(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 3, ("A", "LAX"): 3})

    order = placed(network, ship_order("W-1", {"A": 5}))

    assert split(order) == {"PHL": {"A": 3}, "LAX": {"A": 2}}
    assert levels(network) == {("A", "LAX"): (3, 2), ("A", "PHL"): (3, 3)}


def test_pickup_is_fulfilled_at_the_chosen_store_even_when_another_is_nearer(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("A", "LAX"): 5})
    draft = dataclasses.replace(pickup_order("W-1", {"A": 2}, store="LAX"), ship_to=Address(ZIP["NYC"]))

    order = placed(network, draft)

    assert split(order) == {"LAX": {"A": 2}}
    assert levels(network) == {("A", "LAX"): (5, 2), ("A", "PHL"): (5, 0)}


def test_pickup_store_lacking_a_line_refuses_the_order_naming_what_is_short(network: UnitOfWork) -> None:
    stock(network, {("A", "LAX"): 5, ("B", "LAX"): 1, ("B", "PHL"): 9})
    before = snapshot(network)

    with pytest.raises(InsufficientStock) as refused:
        place_order(network, pickup_order("W-1", {"A": 2, "B": 3}, store="LAX"), "channel:web", NOW)

    assert refused.value.details["short"] == [{"sku": "B", "requested": 3, "available": 1}]
    assert snapshot(network) == before


def test_network_short_of_a_line_refuses_the_whole_order(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("B", "PHL"): 1, ("B", "LAX"): 1})
    before = snapshot(network)

    with pytest.raises(InsufficientStock) as refused:
        place_order(network, ship_order("W-1", {"A": 1, "B": 3}), "channel:web", NOW)

    assert refused.value.details["short"] == [{"sku": "B", "requested": 3, "available": 2}]
    assert snapshot(network) == before


def test_disabled_location_is_skipped(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("A", "LAX"): 5})
    update_location(network, "PHL", {"fulfillment_enabled": False}, NOW)

    order = placed(network, ship_order("W-1", {"A": 1}, zip_code=ZIP["NYC"]))

    assert split(order) == {"LAX": {"A": 1}}


def test_a_location_that_does_not_ship_is_skipped_for_ship_orders(network: UnitOfWork) -> None:
    add_location(network, NOW, "NYC", ZIP["NYC"], capabilities=frozenset({Capability.PICKUP}))
    stock(network, {("A", "NYC"): 5, ("A", "LAX"): 5})

    order = placed(network, ship_order("W-1", {"A": 1}, zip_code=ZIP["NYC"]))

    assert split(order) == {"LAX": {"A": 1}}


@pytest.mark.parametrize("store", ["PHL", "NOPE"])
def test_pickup_at_a_disabled_or_unknown_store_is_refused(network: UnitOfWork, store: str) -> None:
    stock(network, {("A", "PHL"): 5})
    update_location(network, "PHL", {"fulfillment_enabled": False}, NOW)
    before = snapshot(network)

    with pytest.raises(InvalidInput) as refused:
        place_order(network, pickup_order("W-1", {"A": 1}, store=store), "channel:web", NOW)

    assert refused.value.field == "delivery.location"
    assert snapshot(network) == before


def test_unknown_sku_is_refused_naming_its_line(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    before = snapshot(network)

    with pytest.raises(InvalidInput) as refused:
        place_order(network, ship_order("W-1", {"A": 1, "NOPE": 1}), "channel:web", NOW)

    assert refused.value.field == "lines[1].sku"
    assert snapshot(network) == before


def test_unknown_ship_to_postal_code_is_refused(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    before = snapshot(network)

    with pytest.raises(InvalidInput) as refused:
        place_order(network, ship_order("W-1", {"A": 1}, zip_code="00000"), "channel:web", NOW)

    assert refused.value.field == "ship_to.postal_code"
    assert snapshot(network) == before


# --- what a placement writes ------------------------------------------------------------------


def test_placement_writes_reservations_the_event_and_the_reserved_balances(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 3, ("A", "LAX"): 3, ("B", "LAX"): 4})
    receipts = len(ledger(network))

    # To New York, PHL's package costs least: it sends its 3 of A; LAX sends the other 2 of A and B, the
    # only stock of B, in a second package
    order = placed(network, ship_order("W-1", {"A": 5, "B": 1}), actor="channel:web")

    reservations = [
        (r["kind"], r["sku"], r["location"], r["quantity"], r["reserved_delta"], r["on_hand_delta"], r["order_id"])
        for r in ledger(network)[receipts:]
    ]
    assert sorted(reservations) == [
        ("reservation", "A", "LAX", 2, 2, 0, order.id),
        ("reservation", "A", "PHL", 3, 3, 0, order.id),
        ("reservation", "B", "LAX", 1, 1, 0, order.id),
    ]
    assert {r["actor"] for r in ledger(network)[receipts:]} == {"channel:web"}
    assert levels(network) == {("A", "LAX"): (3, 2), ("A", "PHL"): (3, 3), ("B", "LAX"): (4, 1)}
    with network.reading() as reader:
        [event] = reader.outbox.for_entity(order.id)
    assert event.type == "order.placed"
    assert (event.payload["order_id"], event.payload["status"]) == (order.id, "allocated")
    assert {f["location"]: f["lines"] for f in event.payload["fulfillments"]} == {
        "LAX": [{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 1}],
        "PHL": [{"sku": "A", "quantity": 3}],
    }


def test_the_stored_order_reads_back_as_placed(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})

    order = placed(network, ship_order("W-1", {"A": 2}))

    assert get_order(network, order.id, ADMIN) == order


def test_a_line_repeated_is_reserved_once_for_its_total(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    draft = ship_order("W-1", {"A": 2})
    draft = dataclasses.replace(draft, lines=draft.lines * 2)

    order = placed(network, draft)

    assert split(order) == {"PHL": {"A": 4}}
    assert levels(network) == {("A", "PHL"): (5, 4)}


def test_same_channel_order_twice_is_refused_naming_the_first(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    first = placed(network, ship_order("W-1", {"A": 1}))
    before = snapshot(network)

    with pytest.raises(DuplicateOrder) as refused:
        place_order(network, ship_order("W-1", {"A": 2}), "channel:web", NOW)

    assert refused.value.details["order_id"] == first.id
    assert snapshot(network) == before


def test_same_external_id_on_another_channel_is_a_new_order(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    first = placed(network, ship_order("W-1", {"A": 1}, channel="web"))

    second = placed(network, ship_order("W-1", {"A": 1}, channel="app"))

    assert second.id != first.id
    assert levels(network) == {("A", "PHL"): (5, 2)}


# --- idempotency ------------------------------------------------------------------------------


def idempotent(fingerprint: str, key: str = "key-1") -> IdempotentRequest:
    return IdempotentRequest("channel:web", key, fingerprint, lambda order: {"id": order.id, "status": order.status})


def test_replay_with_the_same_key_returns_the_stored_answer_and_changes_nothing(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    first = place_order(network, ship_order("W-1", {"A": 1}), "channel:web", NOW, idempotency=idempotent("f1"))
    before = snapshot(network)

    again = place_order(network, ship_order("W-1", {"A": 1}), "channel:web", NOW, idempotency=idempotent("f1"))

    assert first.body == {"id": first.order_id, "status": "allocated"}
    assert first.replayed is False
    assert (again.order_id, again.body, again.replayed, again.order) == (first.order_id, first.body, True, None)
    assert snapshot(network) == before


def test_same_key_with_a_different_request_is_refused(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    first = place_order(network, ship_order("W-1", {"A": 1}), "channel:web", NOW, idempotency=idempotent("f1"))
    before = snapshot(network)

    with pytest.raises(IdempotencyMismatch) as refused:
        place_order(network, ship_order("W-2", {"A": 2}), "channel:web", NOW, idempotency=idempotent("f2"))

    assert refused.value.details["order_id"] == first.order_id
    assert snapshot(network) == before


def test_a_refused_order_stores_no_idempotent_answer(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 1})
    with pytest.raises(InsufficientStock):
        place_order(network, ship_order("W-1", {"A": 2}), "channel:web", NOW, idempotency=idempotent("f1"))
    receive(network, NOW, "A", "PHL", 1)

    retried = place_order(network, ship_order("W-1", {"A": 2}), "channel:web", NOW, idempotency=idempotent("f1"))

    assert retried.replayed is False
    assert levels(network) == {("A", "PHL"): (2, 2)}


def test_an_idempotency_key_belongs_to_its_scope(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    web = place_order(network, ship_order("W-1", {"A": 1}), "channel:web", NOW, idempotency=idempotent("f1"))
    app_request = dataclasses.replace(idempotent("f1"), scope="channel:app")

    app = place_order(network, ship_order("A-1", {"A": 1}, channel="app"), "channel:app", NOW, idempotency=app_request)

    assert app.replayed is False
    assert app.order_id != web.order_id
    assert levels(network) == {("A", "PHL"): (5, 2)}


# --- cancellation -----------------------------------------------------------------------------


def test_cancel_releases_every_reservation_and_records_the_event(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 3, ("A", "LAX"): 3, ("B", "LAX"): 4})
    order = placed(network, ship_order("W-1", {"A": 5, "B": 1}))
    rows = len(ledger(network))

    cancelled = cancel_order(network, order.id, ADMIN, NOW)

    assert cancelled.status is OrderStatus.CANCELLED
    assert {f.status for f in cancelled.fulfillments} == {FulfillmentStatus.CANCELLED}
    assert get_order(network, order.id, ADMIN).status is OrderStatus.CANCELLED
    assert levels(network) == {("A", "LAX"): (3, 0), ("A", "PHL"): (3, 0), ("B", "LAX"): (4, 0)}
    releases = [
        (r["kind"], r["sku"], r["location"], r["quantity"], r["reserved_delta"], r["order_id"], r["actor"])
        for r in ledger(network)[rows:]
    ]
    assert sorted(releases) == [
        ("release", "A", "LAX", 2, -2, order.id, "admin"),
        ("release", "A", "PHL", 3, -3, order.id, "admin"),
        ("release", "B", "LAX", 1, -1, order.id, "admin"),
    ]
    with network.reading() as reader:
        assert [e.type for e in reader.outbox.for_entity(order.id)] == ["order.placed", "order.cancelled"]


def test_released_stock_can_be_ordered_again(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 2})
    first = placed(network, ship_order("W-1", {"A": 2}))
    cancel_order(network, first.id, ADMIN, NOW)

    second = placed(network, ship_order("W-2", {"A": 2}))

    assert split(second) == {"PHL": {"A": 2}}
    assert levels(network) == {("A", "PHL"): (2, 2)}


def test_cancelling_a_cancelled_order_is_refused_naming_its_status(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    order = placed(network, ship_order("W-1", {"A": 2}))
    cancel_order(network, order.id, ADMIN, NOW)
    before = snapshot(network)

    with pytest.raises(InvalidTransition) as refused:
        cancel_order(network, order.id, ADMIN, NOW)

    assert refused.value.details["current_status"] == "cancelled"
    assert snapshot(network) == before


def test_cancelling_an_unknown_order_is_not_found(network: UnitOfWork) -> None:
    with pytest.raises(NotFound):
        cancel_order(network, "ord_NOPE", ADMIN, NOW)


def test_a_channel_cannot_cancel_another_channels_order(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    order = placed(network, ship_order("W-1", {"A": 2}, channel="web"))
    before = snapshot(network)

    with pytest.raises(Forbidden):
        cancel_order(network, order.id, Principal.parse("channel:app"), NOW)

    assert snapshot(network) == before
    assert get_order(network, order.id, ADMIN).status is OrderStatus.ALLOCATED


def test_a_channel_cancels_its_own_order(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    order = placed(network, ship_order("W-1", {"A": 2}, channel="web"))

    cancelled = cancel_order(network, order.id, Principal.parse("channel:web"), NOW)

    assert cancelled.status is OrderStatus.CANCELLED
    assert levels(network) == {("A", "PHL"): (5, 0)}


def test_a_store_cannot_cancel_an_order_another_store_fulfills(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    order = placed(network, ship_order("W-1", {"A": 2}))
    before = snapshot(network)

    with pytest.raises(Forbidden):
        cancel_order(network, order.id, Principal.parse("store:LAX"), NOW)

    assert snapshot(network) == before


# --- reading orders ---------------------------------------------------------------------------


def test_get_order_is_scoped_to_the_callers_channel_and_store(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    order = placed(network, ship_order("W-1", {"A": 1}, channel="web"))

    assert get_order(network, order.id, Principal.parse("channel:web")).id == order.id
    assert get_order(network, order.id, Principal.parse("store:PHL")).id == order.id
    with pytest.raises(Forbidden):
        get_order(network, order.id, Principal.parse("channel:app"))
    with pytest.raises(Forbidden):
        get_order(network, order.id, Principal.parse("store:LAX"))
    with pytest.raises(NotFound):
        get_order(network, "ord_NOPE", ADMIN)


@pytest.fixture
def four_orders(network: UnitOfWork) -> dict[str, Order]:
    """web W-1 at PHL (then cancelled), web W-2 at LAX, app A-1 at PHL, app pickup A-2 at CHI."""
    stock(network, {("A", "PHL"): 5, ("B", "LAX"): 5, ("C", "CHI"): 5})
    made = {
        "W-1": placed(network, ship_order("W-1", {"A": 1}, channel="web")),
        "W-2": placed(network, ship_order("W-2", {"B": 1}, channel="web")),
        "A-1": placed(network, ship_order("A-1", {"A": 1}, channel="app")),
        "A-2": placed(network, pickup_order("A-2", {"C": 1}, store="CHI", channel="app")),
    }
    cancel_order(network, made["W-1"].id, ADMIN, NOW)
    return made


def test_list_orders_filters_by_status_channel_and_location(network: UnitOfWork, four_orders: dict[str, Order]) -> None:
    def listed(**filters: Any) -> list[str]:
        query: dict[str, Any] = {"status": None, "channel": None, "location": None, "after": None, "limit": 50}
        return [o.id for o in list_orders(network, **{**query, **filters})]

    def ids(*external: str) -> list[str]:  # listed in id order; ids made in one millisecond need not follow time
        return sorted(four_orders[e].id for e in external)

    assert listed() == ids("W-1", "W-2", "A-1", "A-2")
    assert listed(status="cancelled") == ids("W-1")
    assert listed(status="allocated") == ids("W-2", "A-1", "A-2")
    assert listed(channel="app") == ids("A-1", "A-2")
    assert listed(location="PHL") == ids("W-1", "A-1")
    assert listed(location="CHI") == ids("A-2")
    assert listed(channel="web", status="allocated") == ids("W-2")
    assert listed(location="PHL", status="allocated") == ids("A-1")
    assert listed(status="shipped") == []


def test_list_orders_pages_with_a_cursor(network: UnitOfWork, four_orders: dict[str, Order]) -> None:
    def page(after: str | None) -> list[str]:
        return [o.id for o in list_orders(network, status=None, channel=None, location=None, after=after, limit=3)]

    first = page(None)
    second = page(first[-1])

    everything = sorted(o.id for o in four_orders.values())
    assert (first, second) == (everything[:3], everything[3:])
    assert page(second[-1]) == []


def test_pickup_orders_carry_their_store(network: UnitOfWork) -> None:
    stock(network, {("A", "CHI"): 5})

    order = placed(network, pickup_order("W-1", {"A": 1}, store="CHI"))

    assert order.delivery.location == "CHI"
    assert order.ship_to is None
    assert levels(network) == {("A", "CHI"): (5, 1)}


def test_average_cost_is_untouched_by_reservations(network: UnitOfWork) -> None:
    receive(network, NOW, "A", "PHL", 10, cost="3.50")

    placed(network, ship_order("W-1", {"A": 4}))

    found, _ = list_balances(network, "A", "PHL", None, 1)
    assert found[0].level == StockLevel(10, 4, 0, Decimal("3.5000"))
