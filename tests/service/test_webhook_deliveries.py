"""Webhook deliveries on a real database, through a fake receiver: fan-out, order per order, retries with
backoff, dead letters and replay, and workers that never send one delivery twice."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.errors import InvalidInput, InvalidTransition, NotFound
from omnifill.domain.events import DomainEvent
from omnifill.domain.webhooks import Attempt, DeliveryStatus, RetryPolicy, verify_signature
from omnifill.services.event_relay import EventOutlets, move_events
from omnifill.services.events import relay_events
from omnifill.services.timers import TimerSettings, run_timers
from omnifill.services.webhooks import (
    create_subscription,
    deliver_due,
    disable_subscription,
    list_deliveries,
    prune_deliveries,
    replay_dead_letter,
    replay_dead_letters,
)
from tests.conftest import NOW
from tests.service.test_event_stream import FakeBroker

ADMIN = Principal.parse("admin")
POLICY = RetryPolicy(max_attempts=3, base=timedelta(seconds=10), cap=timedelta(seconds=60))
LEASE = timedelta(minutes=5)
SECRET = "whsec_test_0123456789"


@dataclass
class FakeReceiver:
    """Answers from a script per event id (default 200) and keeps what it accepted."""

    failing: dict[int, int] = field(default_factory=dict)  # event id → how many more tries to refuse
    accepted: list[dict[str, object]] = field(default_factory=list)
    tries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Attempt:
        event_id = int(headers["Omnifill-Event-Id"])
        with self.lock:
            self.tries += 1
            assert verify_signature(SECRET, headers["Omnifill-Signature"], body, int(NOW.timestamp()),
                                    tolerance_seconds=10**9)
            if self.failing.get(event_id, 0) > 0:
                self.failing[event_id] -= 1
                return Attempt(503)
            self.accepted.append(json.loads(body))
        return Attempt(200)

    def close(self) -> None:
        pass

    def ids(self) -> list[int]:
        return [int(str(e["id"])) for e in self.accepted]


def append(uow: UnitOfWork, *events: tuple[str, str]) -> None:
    """(type, order id) pairs, one transaction, as a service writes them."""
    with uow:
        uow.outbox.add([DomainEvent(t, "order", order_id, {"order_id": order_id}, NOW) for t, order_id in events])
        uow.commit()


def subscribe(uow: UnitOfWork, *types: str) -> str:
    subscription, _ = create_subscription(uow, "https://hooks.example.com/omnifill", list(types) or ["*"], SECRET,
                                          None, ADMIN, NOW)
    return subscription.id


def deliver(uow: UnitOfWork, receiver: FakeReceiver, at: datetime, draw: float = 1.0) -> tuple[int, int, int]:
    run = deliver_due(uow, receiver, POLICY, at, lease=LEASE, draw=lambda: draw)
    return run.delivered, run.retrying, run.dead


def statuses(uow: UnitOfWork, subscription_id: str) -> list[tuple[int, str, int]]:
    return [(d.event_id, str(d.status), d.attempts) for d in list_deliveries(uow, subscription_id, None, None, 100)]


def test_the_relay_makes_a_delivery_per_matching_active_subscription(uow: UnitOfWork) -> None:
    orders, shipments, off = subscribe(uow, "order."), subscribe(uow, "shipment.created"), subscribe(uow)
    disable_subscription(uow, off, NOW)
    append(uow, ("order.placed", "ord_1"), ("shipment.created", "ord_1"), ("order.cancelled", "ord_1"))

    assert relay_events(uow, NOW).deliveries == 3
    assert relay_events(uow, NOW).deliveries == 0

    assert [e for e, _, _ in statuses(uow, orders)] == [1, 3]
    assert [e for e, _, _ in statuses(uow, shipments)] == [2]
    assert statuses(uow, off) == []


def test_a_new_subscription_gets_what_is_positioned_after_it_was_made(uow: UnitOfWork) -> None:
    append(uow, ("order.placed", "ord_1"))
    relay_events(uow, NOW)
    late = subscribe(uow)
    append(uow, ("order.cancelled", "ord_1"))
    relay_events(uow, NOW)
    assert [e for e, _, _ in statuses(uow, late)] == [2]


def test_a_later_event_of_an_order_waits_for_the_earlier_one_and_other_orders_go_on(uow: UnitOfWork) -> None:
    subscription = subscribe(uow)
    append(uow, ("order.placed", "ord_a"), ("order.placed", "ord_b"), ("order.cancelled", "ord_a"))
    relay_events(uow, NOW)
    receiver = FakeReceiver(failing={1: 1})  # ord_a's first event is refused once

    assert deliver(uow, receiver, NOW) == (1, 1, 0)  # ord_b's event went; ord_a's second one did not try
    assert receiver.ids() == [2]
    assert deliver(uow, receiver, NOW) == (0, 0, 0)  # ord_a's first waits for its retry; its second waits too
    later = NOW + POLICY.delay(1, 1.0)
    assert deliver(uow, receiver, later) == (1, 0, 0)
    assert deliver(uow, receiver, later) == (1, 0, 0)

    assert receiver.ids() == [2, 1, 3]
    assert statuses(uow, subscription) == [(1, "delivered", 2), (2, "delivered", 1), (3, "delivered", 1)]


def test_retries_back_off_then_the_last_failure_is_dead_lettered_and_replay_delivers_it(uow: UnitOfWork) -> None:
    subscription = subscribe(uow)
    append(uow, ("order.placed", "ord_a"))
    relay_events(uow, NOW)
    receiver = FakeReceiver(failing={1: 3})
    at = NOW
    for tries in (1, 2):
        assert deliver(uow, receiver, at, draw=0.5) == (0, 1, 0)
        (pending,) = list_deliveries(uow, subscription, None, None, 10)
        assert pending.next_attempt_at == at + POLICY.delay(tries, 0.5)
        assert deliver(uow, receiver, pending.next_attempt_at - timedelta(seconds=1)) == (0, 0, 0)  # not yet due
        at = pending.next_attempt_at
    assert deliver(uow, receiver, at) == (0, 0, 1)
    (dead,) = list_deliveries(uow, subscription, DeliveryStatus.DEAD, None, 10)
    assert (dead.attempts, dead.last_status_code, dead.last_error) == (3, 503, "the receiver answered 503")
    assert deliver(uow, receiver, at + timedelta(days=1)) == (0, 0, 0)  # dead letters are not retried

    receiver.failing.clear()
    replayed = replay_dead_letter(uow, subscription, dead.id, at)
    assert (replayed.status, replayed.attempts) == (DeliveryStatus.PENDING, 0)
    assert deliver(uow, receiver, at) == (1, 0, 0)
    assert receiver.ids() == [1]
    with pytest.raises(InvalidTransition):
        replay_dead_letter(uow, subscription, dead.id, at)


def test_replay_all_puts_every_dead_letter_back(uow: UnitOfWork) -> None:
    subscription = subscribe(uow)
    append(uow, ("order.placed", "ord_a"), ("order.placed", "ord_b"))
    relay_events(uow, NOW)
    receiver = FakeReceiver(failing={1: 3, 2: 3})
    for _ in range(POLICY.max_attempts):
        deliver(uow, receiver, NOW, draw=0.0)
    assert [s for _, s, _ in statuses(uow, subscription)] == ["dead", "dead"]

    assert replay_dead_letters(uow, subscription, NOW) == [d.id for d in list_deliveries(uow, subscription, None,
                                                                                        None, 10)]
    assert deliver(uow, receiver, NOW) == (2, 0, 0)
    assert replay_dead_letters(uow, subscription, NOW) == []


def test_a_dead_letter_no_longer_holds_back_its_orders_later_events(uow: UnitOfWork) -> None:
    subscription = subscribe(uow)
    append(uow, ("order.placed", "ord_a"), ("order.cancelled", "ord_a"))
    relay_events(uow, NOW)
    receiver = FakeReceiver(failing={1: 99})
    for _ in range(POLICY.max_attempts + 1):
        deliver(uow, receiver, NOW, draw=0.0)
    assert statuses(uow, subscription) == [(1, "dead", 3), (2, "delivered", 1)]


def test_a_disabled_subscription_is_sent_nothing_more(uow: UnitOfWork) -> None:
    subscription = subscribe(uow)
    append(uow, ("order.placed", "ord_a"))
    relay_events(uow, NOW)
    disable_subscription(uow, subscription, NOW)
    receiver = FakeReceiver()
    assert deliver(uow, receiver, NOW) == (0, 0, 0)
    assert receiver.tries == 0


def test_concurrent_workers_send_every_delivery_once(uow: UnitOfWork) -> None:
    subscription = subscribe(uow)
    append(uow, *[(t, f"ord_{n}") for n in range(15) for t in ("order.placed", "order.cancelled")])
    relay_events(uow, NOW)
    receiver = FakeReceiver()

    def work() -> None:
        worker = UnitOfWork(uow.engine)
        for _ in range(10):
            deliver_due(worker, receiver, POLICY, NOW, lease=LEASE, batch=4)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    while deliver(uow, receiver, NOW)[0]:  # whatever the threads left (each round sends one event per order)
        pass

    assert sorted(receiver.ids()) == list(range(1, 31))  # each exactly once
    for n in range(15):  # and each order's events in order
        assert [e["type"] for e in receiver.accepted if e["entity_id"] == f"ord_{n}"] == ["order.placed",
                                                                                         "order.cancelled"]
    assert {s for _, s, _ in statuses(uow, subscription)} == {"delivered"}


def test_a_claim_whose_worker_died_is_taken_over_after_its_lease(uow: UnitOfWork) -> None:
    subscription = subscribe(uow)
    append(uow, ("order.placed", "ord_a"))
    relay_events(uow, NOW)
    with uow:
        (lost,) = uow.webhooks.claim_due(NOW, NOW + LEASE, 10)  # a worker claims it, then dies mid-send
        uow.commit()
    receiver = FakeReceiver()
    assert deliver(uow, receiver, NOW + LEASE - timedelta(seconds=1)) == (0, 0, 0)
    assert deliver(uow, receiver, NOW + LEASE) == (1, 0, 0)
    with uow:  # the first worker, waking up, cannot record over what the second one did
        assert not uow.webhooks.finish(lost, DeliveryStatus.PENDING, 503, "late", NOW, NOW)
        uow.commit()
    assert statuses(uow, subscription) == [(1, "delivered", 1)]


def test_subscriptions_refuse_bad_input_naming_the_field(uow: UnitOfWork) -> None:
    cases = [("ftp://x.example.com", ["*"], None, "url"), ("https://x.example.com", ["Order"], None, "event_types"),
             ("https://x.example.com", ["*"], "short", "secret")]
    for url, types, secret, field_name in cases:
        with pytest.raises(InvalidInput) as refused:
            create_subscription(uow, url, types, secret, None, ADMIN, NOW)
        assert refused.value.field == field_name
    with pytest.raises(NotFound):
        replay_dead_letters(uow, "whs_missing", NOW)
    made, secret = create_subscription(uow, "https://x.example.com", ["*"], None, None, ADMIN, NOW)
    assert secret.startswith("whsec_")
    assert len(secret) > 32
    assert made.event_types == ()


def test_a_broker_that_is_down_holds_up_neither_the_stream_nor_the_webhooks(uow: UnitOfWork) -> None:
    subscribe(uow)
    append(uow, ("order.placed", "ord_a"))
    broker, receiver = FakeBroker(failures=1), FakeReceiver()
    outlets = EventOutlets(receiver, POLICY, LEASE, broker, draw=lambda: 1.0)

    relay, sent = move_events(uow, outlets, NOW)

    assert (relay.positioned, relay.published, sent.delivered) == (1, 0, 1)
    assert broker.received == []
    relay, sent = move_events(uow, outlets, NOW)  # the broker is back: it catches up from its cursor
    assert (relay.positioned, relay.published, sent.sent) == (0, 1, 0)
    assert [m.event_id for m in broker.received] == [1]


@dataclass
class DownUntil(FakeReceiver):
    """Refuses every try (a receiver that is down) until the clock reaches `back_at`."""

    back_at: datetime = NOW
    now: datetime = NOW

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Attempt:
        if self.now < self.back_at:
            with self.lock:
                self.tries += 1
            return Attempt(None, "ConnectError: connection refused")
        return super().post(url, body, headers)


def test_with_the_default_retries_a_receiver_down_for_an_hour_misses_nothing(uow: UnitOfWork) -> None:
    subscription = subscribe(uow)
    append(uow, *[(t, f"ord_{n}") for n in range(5) for t in ("order.placed", "order.cancelled")])
    relay_events(uow, NOW)
    receiver, draws = DownUntil(back_at=NOW + timedelta(hours=1)), random.Random(20261130)
    clock = NOW
    for _ in range(1_000):  # the worker wakes whenever the next delivery is due
        receiver.now = clock
        deliver_due(uow, receiver, RetryPolicy(), clock, lease=LEASE, draw=draws.random)
        waiting = list_deliveries(uow, subscription, DeliveryStatus.PENDING, None, 100)
        if not waiting:
            break
        clock = min((d.next_attempt_at for d in waiting if d.next_attempt_at > clock), default=clock)

    assert {status for _, status, _ in statuses(uow, subscription)} == {"delivered"}  # none dead-lettered
    assert clock >= NOW + timedelta(hours=1)
    assert sorted(receiver.ids()) == list(range(1, 11))
    for n in range(5):
        assert [e["type"] for e in receiver.accepted if e["entity_id"] == f"ord_{n}"] == ["order.placed",
                                                                                         "order.cancelled"]
    assert receiver.tries > 10  # it really was refused for a while


def test_deliveries_answered_long_ago_are_pruned_and_waiting_or_dead_ones_stay(uow: UnitOfWork) -> None:
    subscription = subscribe(uow)
    append(uow, ("order.placed", "ord_a"), ("order.placed", "ord_b"), ("order.placed", "ord_c"))
    relay_events(uow, NOW)
    receiver = FakeReceiver(failing={2: 99})  # ord_b's event is dead-lettered after its tries
    deliver(uow, receiver, NOW)
    for tries in range(1, POLICY.max_attempts):
        deliver(uow, receiver, NOW + tries * POLICY.cap)
    append(uow, ("order.placed", "ord_d"))  # answered a day later
    relay_events(uow, NOW)
    deliver(uow, receiver, NOW + timedelta(days=1))
    append(uow, ("order.placed", "ord_e"))  # still waiting for its first try
    relay_events(uow, NOW)
    assert [(e, s) for e, s, _ in statuses(uow, subscription)] == [
        (1, "delivered"), (2, "dead"), (3, "delivered"), (4, "delivered"), (5, "pending")]

    assert prune_deliveries(uow, NOW + timedelta(hours=1), batch=1) == 2  # a batch per transaction
    assert [e for e, _, _ in statuses(uow, subscription)] == [2, 4, 5]
    assert prune_deliveries(uow, NOW + timedelta(hours=1)) == 0

    run = run_timers(uow, NOW + timedelta(days=31), TimerSettings(webhook_retention=timedelta(days=29)))
    assert run.deliveries_pruned == 1
    assert [(e, s) for e, s, _ in statuses(uow, subscription)] == [(2, "dead"), (5, "pending")]
