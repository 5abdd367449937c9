"""The event stream on a real database: positions in commit order, cursors that never skip, the broker relay."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from sqlalchemy import insert, select

from omnifill.adapters.event_brokers import BrokerMessage
from omnifill.adapters.sql.tables import outbox_events
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.errors import InvalidInput
from omnifill.domain.events import DomainEvent
from omnifill.services.events import publish_to_broker, read_events, relay_events
from omnifill.services.orders import cancel_order, place_order
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, ship_order, stock


def append(uow: UnitOfWork, *types: str, entity_id: str = "ord_1") -> None:
    """Events as a service would write them: in one transaction of their own."""
    with uow:
        uow.outbox.add([DomainEvent(t, "order", entity_id, {"order_id": entity_id}, NOW) for t in types])
        uow.commit()


def stream(uow: UnitOfWork, after: str | None = None, types: Sequence[str] = ()) -> list[tuple[int, str]]:
    page = read_events(uow, after, list(types), 500)
    return [(e.id, e.type) for e in page.events]


def test_events_are_invisible_until_the_relay_positions_them_then_read_in_commit_order(uow: UnitOfWork) -> None:
    add_sku(uow, NOW, "TEE")
    add_location(uow, NOW, "ST-NYC", ZIP["NYC"])
    stock(uow, {("TEE", "ST-NYC"): 5})
    placed = place_order(uow, ship_order("1001", {"TEE": 2}), "test", NOW)
    cancel_order(uow, placed.order_id, Principal.parse("admin"), NOW)
    assert stream(uow) == []

    run = relay_events(uow, NOW)

    types = [t for _, t in stream(uow)]
    # Each stock change also says what it did to availability (for channel feeds), in its own transaction.
    assert types == ["sku.created", "location.created", "inventory.availability_changed",
                     "inventory.movement_recorded", "inventory.availability_changed", "order.placed",
                     "inventory.availability_changed", "order.cancelled"]
    assert run.positioned == 8
    assert relay_events(uow, NOW).positioned == 0  # idempotent: nothing is positioned twice


def test_an_event_that_commits_late_with_a_lower_id_is_still_read_after_the_cursor(uow: UnitOfWork) -> None:
    # A transaction holding id 10 commits after one holding id 11: the relay saw 11 first, so 11 gets position 1
    # and 10 position 2. A reader that read up to 11 still gets 10 next; a reader paging by id would skip it.
    with uow.engine.begin() as connection:
        connection.execute(insert(outbox_events).values(id=11, type="order.placed", entity_type="order",
                                                        entity_id="ord_b", payload={}, occurred_at=NOW))
    relay_events(uow, NOW)
    first = read_events(uow, None, [], 100)
    assert [e.id for e in first.events] == [11]

    with uow.engine.begin() as connection:
        connection.execute(insert(outbox_events).values(id=10, type="order.placed", entity_type="order",
                                                        entity_id="ord_a", payload={}, occurred_at=NOW))
    relay_events(uow, NOW)

    assert [e.id for e in read_events(uow, first.next_cursor, [], 100).events] == [10]
    assert [e.position for e in read_events(uow, None, [], 100).events] == [1, 2]


def test_an_open_transaction_holding_an_earlier_id_is_not_skipped(uow: UnitOfWork) -> None:
    if uow.engine.dialect.name != "postgresql":
        pytest.skip("SQLite admits one writer at a time: ids commit in order there (the test above covers it)")
    slow = uow.engine.connect()
    slow.begin()
    slow.execute(insert(outbox_events).values(type="order.placed", entity_type="order", entity_id="ord_slow",
                                              payload={}, occurred_at=NOW))
    append(uow, "order.placed", entity_id="ord_fast")  # a later id, committed first
    relay_events(uow, NOW)
    seen = read_events(uow, None, [], 100)
    assert [e.entity_id for e in seen.events] == ["ord_fast"]

    slow.commit()
    slow.close()
    relay_events(uow, NOW)

    assert [e.entity_id for e in read_events(uow, seen.next_cursor, [], 100).events] == ["ord_slow"]


def test_concurrent_relays_give_every_event_one_position_without_gaps(uow: UnitOfWork) -> None:
    for n in range(40):
        append(uow, "order.placed", entity_id=f"ord_{n}")
    errors: list[BaseException] = []

    def relay() -> None:
        try:
            relay_events(UnitOfWork(uow.engine), NOW, batch=7)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=relay) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    with uow.engine.connect() as connection:
        rows = connection.execute(select(outbox_events.c.id, outbox_events.c.position)
                                  .order_by(outbox_events.c.position)).all()
    assert [position for _, position in rows] == list(range(1, 41))
    assert [event_id for event_id, _ in rows] == sorted(event_id for event_id, _ in rows)


def test_type_filters_paging_and_the_cursor_to_poll_on_with(uow: UnitOfWork) -> None:
    append(uow, "order.placed", "shipment.created", "order.cancelled", "sku.created")
    relay_events(uow, NOW)

    assert [t for _, t in stream(uow, types=["order."])] == ["order.placed", "order.cancelled"]
    assert [t for _, t in stream(uow, types=["sku.created", "shipment."])] == ["shipment.created", "sku.created"]
    first = read_events(uow, None, [], 2)
    rest = read_events(uow, first.next_cursor, [], 2)
    assert [e.type for e in first.events + rest.events] == ["order.placed", "shipment.created", "order.cancelled",
                                                          "sku.created"]
    idle = read_events(uow, rest.next_cursor, [], 2)
    assert idle.events == []
    assert idle.next_cursor == rest.next_cursor  # nothing new: poll again from the same place


def test_a_bad_cursor_or_type_names_the_parameter(uow: UnitOfWork) -> None:
    with pytest.raises(InvalidInput) as bad_cursor:
        read_events(uow, "not-a-cursor", [], 10)
    with pytest.raises(InvalidInput) as bad_type:
        read_events(uow, None, ["Order%"], 10)
    assert (bad_cursor.value.field, bad_type.value.field) == ("after", "type")


@dataclass
class FakeBroker:
    """Keeps what it was sent; fails the first `failures` batches as a broker that is down would."""

    failures: int = 0
    received: list[BrokerMessage] = field(default_factory=list)
    name: str = "broker:fake"

    def publish(self, messages: Sequence[BrokerMessage]) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("broker down")
        self.received.extend(messages)

    def close(self) -> None:
        pass


def test_the_broker_relay_publishes_each_event_once_and_resumes_after_a_failure(uow: UnitOfWork) -> None:
    broker = FakeBroker(failures=1)
    append(uow, "order.placed", "order.cancelled")
    with pytest.raises(ConnectionError):
        relay_events(uow, NOW, broker)
    assert broker.received == []  # positioned, not published: the cursor stayed

    assert relay_events(uow, NOW, broker).published == 2
    append(uow, "order.placed", entity_id="ord_2")
    assert relay_events(uow, NOW, broker).published == 1
    assert relay_events(uow, NOW, broker).published == 0

    assert [(m.event_type, m.event_id) for m in broker.received] == [
        ("order.placed", 1), ("order.cancelled", 2), ("order.placed", 3)]
    assert publish_to_broker(uow, broker, NOW) == 0
