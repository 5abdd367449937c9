"""The event stream: reading it, and the relay that positions committed events and hands them on.

`relay_events` is the one step that moves events out of the outbox, and it is idempotent: run it from any
number of workers, as often as you like. Each run
1. positions committed events that have none yet (gap-free, in commit order: domain/event_stream.py), and in
   the same transaction writes one pending delivery per matching active webhook subscription;
2. publishes positioned events past the broker relay's cursor to the broker (when one is configured), then
   moves that cursor. A crash between the two re-publishes the batch, which the broker de-duplicates by
   event id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from omnifill.adapters.event_brokers import BrokerMessage, EventPublisher
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.event_stream import StoredEvent, cursor_for, envelope, matches, position_after, type_patterns

BATCH = 500


@dataclass(frozen=True, slots=True)
class EventPage:
    events: list[StoredEvent]
    next_cursor: str  # where to read on from: the last event's cursor, or the one asked with if none came


@dataclass(frozen=True, slots=True)
class RelayRun:
    positioned: int
    deliveries: int
    published: int


def read_events(uow: UnitOfWork, after: str | None, types: list[str], limit: int) -> EventPage:
    """Positioned events after the cursor, of the given types or prefixes, in stream order."""
    start = position_after(after)
    patterns = type_patterns("type", types)
    with uow.reading() as reader:
        found = reader.event_stream.page(start, patterns, limit)
    return EventPage(found, cursor_for(found[-1].position) if found else cursor_for(start))


def event_body(event: StoredEvent) -> bytes:
    """The JSON a webhook receiver or broker consumer gets for one event (its envelope)."""
    return json.dumps(envelope(event, cursor_for(event.position)), separators=(",", ":")).encode()


def relay_events(uow: UnitOfWork, now: datetime, publisher: EventPublisher | None = None,
                 batch: int = BATCH) -> RelayRun:
    positioned = deliveries = 0
    while True:
        found, made = _position_batch(uow, now, batch)
        positioned, deliveries = positioned + found, deliveries + made
        if found < batch:
            break
    published = publish_to_broker(uow, publisher, now, batch) if publisher is not None else 0
    return RelayRun(positioned, deliveries, published)


def _position_batch(uow: UnitOfWork, now: datetime, batch: int) -> tuple[int, int]:
    with uow.reading() as reader:
        if not reader.event_stream.has_unpositioned():
            return 0, 0
    with uow:
        events = uow.event_stream.position_pending(now, batch)
        subscriptions = uow.webhooks.subscriptions(None, 100_000, active_only=True)
        pairs = [(s.id, e) for e in events for s in subscriptions if matches(e.type, s.event_types)]
        uow.webhooks.add_deliveries(pairs, now)
        uow.commit()
    return len(events), len(pairs)


def publish_to_broker(uow: UnitOfWork, publisher: EventPublisher, now: datetime, batch: int = BATCH) -> int:
    """Publish what the broker has not had yet, batch by batch; how many were published."""
    published = 0
    while True:
        with uow.reading() as reader:
            after = reader.event_stream.cursor(publisher.name)
            events = reader.event_stream.page(after, (), batch)
        if not events:
            return published
        publisher.publish([BrokerMessage(e.id, e.type, event_body(e)) for e in events])
        with uow:
            moved = uow.event_stream.advance_cursor(publisher.name, after, events[-1].position, now)
            uow.commit()
        published += len(events)
        if not moved or len(events) < batch:  # another relay is ahead of us: leave the rest to it
            return published
