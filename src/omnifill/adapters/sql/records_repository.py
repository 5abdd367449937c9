"""The outbox, idempotency records and API keys: rows written beside the business data, in its transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from omnifill.adapters.sql.tables import api_keys, idempotency_keys, outbox_events
from omnifill.domain.events import DomainEvent

_INSERT_EVENTS = insert(outbox_events)


class OutboxRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, events: Iterable[DomainEvent]) -> None:
        rows = [
            {"type": e.type, "entity_type": e.entity_type, "entity_id": e.entity_id, "payload": e.payload,
             "occurred_at": e.occurred_at}
            for e in events
        ]
        if rows:
            self._c.execute(_INSERT_EVENTS, rows)

    def for_entity(self, entity_id: str) -> list[DomainEvent]:
        rows = self._c.execute(
            select(outbox_events).where(outbox_events.c.entity_id == entity_id).order_by(outbox_events.c.id)
        ).mappings()
        return [DomainEvent(r["type"], r["entity_type"], r["entity_id"], r["payload"], r["occurred_at"]) for r in rows]

    def count(self) -> int:
        return int(self._c.execute(select(func.count()).select_from(outbox_events)).scalar_one())


@dataclass(frozen=True, slots=True)
class StoredResponse:
    fingerprint: str
    order_id: str
    status_code: int
    body: dict[str, Any]


class IdempotencyRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, scope: str, key: str) -> StoredResponse | None:
        row = self._c.execute(
            select(idempotency_keys).where(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
        ).mappings().first()
        if row is None:
            return None
        return StoredResponse(row["fingerprint"], row["order_id"], row["status_code"], row["response"])

    def add(self, scope: str, key: str, stored: StoredResponse, now: datetime) -> None:
        self._c.execute(insert(idempotency_keys).values(
            scope=scope, key=key, fingerprint=stored.fingerprint, order_id=stored.order_id,
            status_code=stored.status_code, response=stored.body, created_at=now,
        ))


@dataclass(frozen=True, slots=True)
class StoredKey:
    id: str
    role: str
    label: str | None


class ApiKeyRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, key_id: str, key_hash: str, role: str, label: str | None, now: datetime) -> None:
        self._c.execute(insert(api_keys).values(id=key_id, key_hash=key_hash, role=role, label=label, created_at=now))

    def find(self, key_hash: str) -> StoredKey | None:
        row = self._c.execute(
            select(api_keys.c.id, api_keys.c.role, api_keys.c.label)
            .where(api_keys.c.key_hash == key_hash, api_keys.c.revoked_at.is_(None))
        ).first()
        return StoredKey(row[0], row[1], row[2]) if row else None
