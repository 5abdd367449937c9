"""Till sales and returns on every backend: stock moves at once, replays change nothing, and an offline sale
that took a unit promised online re-routes that order (or backorders it) with the books still balanced."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from omnifill.adapters.sql.tables import pos_transactions
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.errors import IdempotencyMismatch, InvalidInput
from omnifill.domain.orders import FulfillmentStatus, Order, OrderStatus
from omnifill.domain.pos import PosCustomer, PosKind
from omnifill.domain.routing.backorders import BackorderStatus
from omnifill.services.fulfillment import advance, pick
from omnifill.services.orders import get_order, place_order
from omnifill.services.pos import PosOutcome, TillLine, TillReport, list_conflicts, record_batch, record_pos
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, ledger, levels, ship_order, stock
from tests.integration.test_concurrent_reservations import assert_ledger_replays_into_balances

ADMIN = Principal.parse("admin")
HOUR = timedelta(hours=1)


@pytest.fixture
def network(uow: UnitOfWork) -> UnitOfWork:
    """SKUs A and B; stores in Philadelphia (closest to New York), Chicago and Los Angeles."""
    for sku in ("A", "B"):
        add_sku(uow, NOW, sku)
    for code in ("PHL", "CHI", "LAX"):
        add_location(uow, NOW, code, ZIP[code])
    return uow


def sale(transaction_id: str, lines: dict[str, int], *, at: timedelta = timedelta(0),
         customer: PosCustomer | None = None) -> TillReport:
    return TillReport(PosKind.SALE, transaction_id, NOW + at,
                      tuple(TillLine(units, sku, unit_price=Decimal("12.00")) for sku, units in lines.items()),
                      customer)


def sell(uow: UnitOfWork, report: TillReport, store: str = "PHL", at: timedelta = timedelta(0)) -> PosOutcome:
    return record_pos(uow, report, store, f"store:{store}", NOW + at)


def online(uow: UnitOfWork, lines: dict[str, int], external_id: str = "W-1") -> Order:  # ships to New York
    placed = place_order(uow, ship_order(external_id, lines), "channel:web", NOW)
    assert placed.order is not None
    return placed.order


def by_location(order: Order) -> dict[str, tuple[FulfillmentStatus, dict[str, int]]]:
    return {f.location: (f.status, {ln.sku: ln.quantity for ln in f.lines}) for f in order.fulfillments}


def pos_rows(uow: UnitOfWork) -> int:
    with uow.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(pos_transactions)).scalar_one())


def test_a_till_sale_lowers_the_stores_on_hand_at_once(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("B", "PHL"): 2})

    done = sell(network, sale("T-1", {"A": 2, "B": 1}))

    assert levels(network) == {("A", "PHL"): (3, 0), ("B", "PHL"): (1, 0)}
    assert [(r["kind"], r["sku"], r["quantity"], r["on_hand_delta"], r["reserved_delta"])
            for r in ledger(network)[-2:]] == [("sale", "A", 2, -2, 0), ("sale", "B", 1, -1, 0)]
    assert done.replayed is False
    assert (done.result["total"], done.result["conflicts"]) == ("36.00", [])
    assert [(b["sku"], b["on_hand"], b["available"]) for b in done.result["balances"]] == [("A", 3, 3), ("B", 1, 1)]
    assert_ledger_replays_into_balances(network.engine)


def test_a_replayed_sale_answers_the_first_result_and_changes_nothing(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    first = sell(network, sale("T-1", {"A": 2}))
    rows = len(ledger(network))

    again = sell(network, sale("T-1", {"A": 2}), at=HOUR)

    assert (again.replayed, again.result) == (True, first.result)
    assert (levels(network), len(ledger(network)), pos_rows(network)) == ({("A", "PHL"): (3, 0)}, rows, 1)


def test_the_same_transaction_id_with_another_body_is_refused_and_changes_nothing(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    sell(network, sale("T-1", {"A": 2}))

    with pytest.raises(IdempotencyMismatch):
        sell(network, sale("T-1", {"A": 3}))

    assert (levels(network), pos_rows(network)) == ({("A", "PHL"): (3, 0)}, 1)


def test_the_same_transaction_id_at_another_store_is_another_sale(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5, ("A", "CHI"): 5})

    sell(network, sale("T-1", {"A": 1}), "PHL")
    sell(network, sale("T-1", {"A": 1}), "CHI")

    assert levels(network) == {("A", "PHL"): (4, 0), ("A", "CHI"): (4, 0)}


def test_an_offline_sale_of_a_unit_reserved_online_reroutes_the_order_to_another_store(network: UnitOfWork) -> None:
    """The case that breaks naive systems: the online order took the store's last unit; the till, offline, had
    sold that unit an hour earlier and uploads it now."""
    stock(network, {("A", "PHL"): 1, ("A", "CHI"): 5})
    order = online(network, {"A": 1})
    assert by_location(order) == {"PHL": (FulfillmentStatus.PENDING, {"A": 1})}

    [done] = record_batch(network, [sale("T-9", {"A": 1}, at=-HOUR)], "PHL", "store:PHL", NOW + HOUR)

    assert isinstance(done, PosOutcome)
    rerouted = get_order(network, order.id, ADMIN)
    assert rerouted.status is OrderStatus.ALLOCATED
    assert by_location(rerouted) == {"PHL": (FulfillmentStatus.REJECTED, {"A": 1}),
                                     "CHI": (FulfillmentStatus.PENDING, {"A": 1})}
    assert levels(network) == {("A", "PHL"): (0, 0), ("A", "CHI"): (5, 1)}
    [fulfillment_at_phl] = [f.id for f in order.fulfillments]
    assert done.result["conflicts"] == [{"sku": "A", "units_short": 1, "unbooked_units": 0, "rerouted": [
        {"order_id": order.id, "fulfillment_id": fulfillment_at_phl, "units": 1}]}]
    [logged] = list_conflicts(network, "PHL", None, 10)
    assert (logged.transaction_id, logged.sku, logged.units_short, logged.sale_occurred_at) == (
        "T-9", "A", 1, NOW - HOUR)
    with network.reading() as reader:
        assert [e.type for e in reader.outbox.for_entity(order.id)] == ["order.placed", "order.rerouted"]
        assert [e.type for e in reader.outbox.for_entity("A@PHL")][-1] == "inventory.pos_conflict"
    assert_ledger_replays_into_balances(network.engine)


def test_an_offline_sale_backorders_the_online_order_when_no_other_store_has_the_unit(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 1})
    order = online(network, {"A": 1})

    sell(network, sale("T-9", {"A": 1}, at=-HOUR))

    rerouted = get_order(network, order.id, ADMIN)
    assert rerouted.status is OrderStatus.BACKORDERED
    with network.reading() as reader:
        assert [(b.sku, b.quantity, b.status) for b in reader.backorders.for_order(order.id)] == [
            ("A", 1, BackorderStatus.OPEN)]
    assert levels(network) == {("A", "PHL"): (0, 0)}
    assert_ledger_replays_into_balances(network.engine)


def test_only_the_units_the_sale_took_are_rerouted_and_the_newest_order_gives_way(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 3, ("A", "CHI"): 5})
    older = online(network, {"A": 1}, "W-1")
    newer = online(network, {"A": 2}, "W-2")

    sell(network, sale("T-1", {"A": 1}))  # 3 on hand, 3 reserved: one unit short

    assert by_location(get_order(network, older.id, ADMIN)) == {"PHL": (FulfillmentStatus.PENDING, {"A": 1})}
    assert by_location(get_order(network, newer.id, ADMIN)) == {"PHL": (FulfillmentStatus.PENDING, {"A": 1}),
                                                                "CHI": (FulfillmentStatus.PENDING, {"A": 1})}
    assert levels(network) == {("A", "PHL"): (2, 2), ("A", "CHI"): (5, 1)}
    assert_ledger_replays_into_balances(network.engine)


def test_a_sale_within_the_free_units_touches_no_online_order(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 3})
    order = online(network, {"A": 1})

    done = sell(network, sale("T-1", {"A": 2}))

    assert done.result["conflicts"] == []
    assert get_order(network, order.id, ADMIN) == order
    assert levels(network) == {("A", "PHL"): (1, 1)}


def test_a_picked_fulfillment_keeps_its_units_and_the_sold_unit_is_booked_in(network: UnitOfWork) -> None:
    """Picked units are in a tote: the till sold a unit the books did not know of; on hand never goes negative."""
    stock(network, {("A", "PHL"): 1})
    order = online(network, {"A": 1})
    [fulfillment] = order.fulfillments
    advance(network, fulfillment.id, "accept", Principal.parse("store:PHL"), NOW)
    pick(network, fulfillment.id, {}, Principal.parse("store:PHL"), NOW)

    done = sell(network, sale("T-1", {"A": 1}))

    assert by_location(get_order(network, order.id, ADMIN)) == {"PHL": (FulfillmentStatus.PICKED, {"A": 1})}
    assert done.result["conflicts"] == [{"sku": "A", "units_short": 1, "unbooked_units": 1, "rerouted": []}]
    assert levels(network) == {("A", "PHL"): (1, 1)}
    assert [(r["kind"], r["quantity"]) for r in ledger(network)[-2:]] == [("adjustment", 1), ("sale", 1)]
    assert_ledger_replays_into_balances(network.engine)


def test_a_sale_of_a_sku_never_stocked_at_the_store_is_booked_in_and_out(network: UnitOfWork) -> None:
    sell(network, sale("T-1", {"B": 2}))

    assert levels(network) == {("B", "PHL"): (0, 0)}
    assert [(r["kind"], r["quantity"]) for r in ledger(network)] == [("adjustment", 2), ("sale", 2)]


def test_a_sale_with_an_unknown_sku_names_its_line_and_writes_nothing(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})

    with pytest.raises(InvalidInput) as refused:
        sell(network, sale("T-1", {"A": 1, "NOPE": 1}))

    assert refused.value.field == "lines[1].sku"
    assert (levels(network), pos_rows(network)) == ({("A", "PHL"): (5, 0)}, 0)


def test_a_batch_records_each_sale_on_its_own(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 5})
    sell(network, sale("T-1", {"A": 1}))

    answers = record_batch(network, [sale("T-1", {"A": 1}), sale("T-2", {"NOPE": 1}), sale("T-3", {"A": 2})],
                           "PHL", "store:PHL", NOW)

    assert [type(a).__name__ for a in answers] == ["PosOutcome", "InvalidInput", "PosOutcome"]
    assert [a.replayed for a in answers if isinstance(a, PosOutcome)] == [True, False]
    assert levels(network) == {("A", "PHL"): (2, 0)}


def test_a_return_puts_sellable_units_back_and_records_damaged_ones(network: UnitOfWork) -> None:
    stock(network, {("A", "PHL"): 1})
    returned = TillReport(PosKind.RETURN, "R-1", NOW, (TillLine(2, "A", condition="sellable"),
                                                        TillLine(1, "A", condition="damaged")),
                          original_transaction_id="T-1")

    done = sell(network, returned)
    again = sell(network, returned)

    assert levels(network) == {("A", "PHL"): (3, 0)}
    assert [(r["kind"], r["quantity"]) for r in ledger(network)[-1:]] == [("pos_return", 2)]
    assert [(ln["quantity"], ln["condition"]) for ln in done.result["lines"]] == [(2, "sellable"), (1, "damaged")]
    assert (again.replayed, again.result) == (True, done.result)
