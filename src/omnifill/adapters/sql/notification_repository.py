"""Customer notifications: written pending beside the move that caused them, claimed by one sender, finished."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, insert, select, update

from omnifill.adapters.sql.tables import notifications
from omnifill.domain.notifications import Message, NotificationKind, NotificationStatus

_n = notifications


@dataclass(frozen=True, slots=True)
class StoredNotification:
    id: int
    kind: NotificationKind
    order_id: str
    fulfillment_id: str | None
    recipient: str | None
    subject: str
    body: str
    status: NotificationStatus
    notifier: str | None
    error: str | None

    @property
    def message(self) -> Message | None:
        return Message(self.recipient, self.subject, self.body) if self.recipient else None


class NotificationRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(
        self, kind: NotificationKind, order_id: str, fulfillment_id: str | None, recipient: str | None,
        subject: str, body: str, now: datetime,
    ) -> None:
        self._c.execute(insert(_n).values(
            kind=str(kind), order_id=order_id, fulfillment_id=fulfillment_id, recipient=recipient, subject=subject,
            body=body, status=str(NotificationStatus.PENDING), created_at=now,
        ))

    def pending(self, limit: int, order_id: str | None = None) -> list[int]:
        query = select(_n.c.id).where(_n.c.status == str(NotificationStatus.PENDING)).order_by(_n.c.id).limit(limit)
        if order_id is not None:
            query = query.where(_n.c.order_id == order_id)
        return [row[0] for row in self._c.execute(query)]

    def claim(self, notification_id: int) -> StoredNotification | None:
        """Pending → sending, only if nobody else claimed it first; the claimed row, or None."""
        done = self._c.execute(
            update(_n).where(_n.c.id == notification_id, _n.c.status == str(NotificationStatus.PENDING))
            .values(status=str(NotificationStatus.SENDING))
        )
        if done.rowcount != 1:
            return None
        return self.get(notification_id)

    def finish(self, notification_id: int, notifier: str, error: str | None, now: datetime) -> None:
        status = NotificationStatus.FAILED if error else NotificationStatus.SENT
        self._c.execute(
            update(_n).where(_n.c.id == notification_id)
            .values(status=str(status), notifier=notifier, error=error[:500] if error else None,
                    sent_at=None if error else now)
        )

    def get(self, notification_id: int) -> StoredNotification | None:
        found = self._for(select(_n).where(_n.c.id == notification_id))
        return found[0] if found else None

    def for_order(self, order_id: str) -> list[StoredNotification]:
        return self._for(select(_n).where(_n.c.order_id == order_id).order_by(_n.c.id))

    def _for(self, query: Select[Any]) -> list[StoredNotification]:
        return [
            StoredNotification(r["id"], NotificationKind(r["kind"]), r["order_id"], r["fulfillment_id"],
                               r["recipient"], r["subject"], r["body"], NotificationStatus(r["status"]),
                               r["notifier"], r["error"])
            for r in self._c.execute(query).mappings()
        ]
