"""Customer profiles and their identities. Identities always point at a live (unmerged) profile."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, bindparam, func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from omnifill.adapters.sql.tables import (
    customer_identities,
    customers,
    locations,
    order_lines,
    orders,
    pos_transactions,
    return_authorizations,
    return_lines,
)
from omnifill.domain.customers import Identity, IdentityKind, ProfileStub

_ci = customer_identities
# Built once: order intake asks on every order, and compiling this select each time was most of its cost.
_OWNERS = (
    select(_ci.c.kind, _ci.c.value, customers.c.id, customers.c.created_at)
    .join(customers, customers.c.id == _ci.c.customer_id)
    .where(tuple_(_ci.c.kind, _ci.c.value).in_(bindparam("pairs", expanding=True)))
)


@dataclass(frozen=True, slots=True)
class CustomerRow:
    id: str
    name: str | None
    merged_into: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OrderSummary:
    id: str
    channel: str
    external_id: str
    status: str
    total: Decimal
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReturnSummary:
    id: str
    order_id: str
    channel: str
    method: str
    status: str
    units: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PosSummary:
    transaction_id: str
    kind: str
    location: str
    occurred_at: datetime
    total: Decimal


class CustomerRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._postgres = connection.dialect.name == "postgresql"

    def owners(self, identities: Sequence[Identity]) -> dict[Identity, ProfileStub]:
        """The profile each already-known identity belongs to."""
        if not identities:
            return {}
        rows = self._c.execute(_OWNERS, {"pairs": [(str(i.kind), i.value) for i in identities]})
        return {Identity(IdentityKind(r[0]), r[1]): ProfileStub(r[2], r[3]) for r in rows}

    def create(self, customer_id: str, name: str | None, now: datetime) -> ProfileStub:
        self._c.execute(customers.insert().values(id=customer_id, name=name, created_at=now, updated_at=now))
        return ProfileStub(customer_id, now)

    def add_identities(self, customer_id: str, identities: Iterable[Identity], now: datetime) -> None:
        """Add identities; one another transaction added meanwhile stays with its profile (the caller merges)."""
        rows = [{"kind": str(i.kind), "value": i.value, "customer_id": customer_id, "created_at": now}
                for i in identities]
        if rows:
            dialect_insert = postgresql.insert if self._postgres else sqlite.insert
            self._c.execute(dialect_insert(_ci).values(rows).on_conflict_do_nothing())

    def name_if_missing(self, customer_id: str, name: str | None, now: datetime) -> None:
        if name:
            self._c.execute(update(customers).where(customers.c.id == customer_id, customers.c.name.is_(None))
                            .values(name=name, updated_at=now))

    def merge(self, loser: str, survivor: str, now: datetime) -> None:
        """Everything of `loser` becomes `survivor`'s; profiles merged into `loser` earlier follow it."""
        self._c.execute(update(customers).where((customers.c.id == loser) | (customers.c.merged_into == loser))
                        .values(merged_into=survivor, updated_at=now))
        self._c.execute(update(_ci).where(_ci.c.customer_id == loser).values(customer_id=survivor))
        self._c.execute(update(orders).where(orders.c.customer_id == loser).values(customer_id=survivor))
        self._c.execute(update(pos_transactions).where(pos_transactions.c.customer_id == loser)
                        .values(customer_id=survivor))

    def get(self, customer_id: str) -> CustomerRow | None:
        row = self._c.execute(select(customers).where(customers.c.id == customer_id)).mappings().first()
        return CustomerRow(row["id"], row["name"], row["merged_into"], row["created_at"]) if row else None

    def find(self, identity: Identity) -> str | None:
        found: str | None = self._c.execute(
            select(_ci.c.customer_id).where(_ci.c.kind == str(identity.kind), _ci.c.value == identity.value)
        ).scalar()
        return found

    def identities(self, customer_id: str) -> list[Identity]:
        rows = self._c.execute(select(_ci.c.kind, _ci.c.value).where(_ci.c.customer_id == customer_id)
                               .order_by(_ci.c.kind, _ci.c.value))
        return [Identity(IdentityKind(r[0]), r[1]) for r in rows]

    def merged_ids(self, customer_id: str) -> list[str]:
        rows = self._c.execute(select(customers.c.id).where(customers.c.merged_into == customer_id)
                               .order_by(customers.c.id))
        return [r[0] for r in rows]

    def orders(self, customer_id: str) -> list[OrderSummary]:
        total = func.coalesce(func.sum(order_lines.c.quantity * order_lines.c.unit_price), 0)
        rows = self._c.execute(
            select(orders.c.id, orders.c.channel, orders.c.external_id, orders.c.status, total, orders.c.created_at)
            .outerjoin(order_lines, order_lines.c.order_id == orders.c.id)
            .where(orders.c.customer_id == customer_id)
            .group_by(orders.c.id).order_by(orders.c.created_at, orders.c.id)
        )
        return [OrderSummary(r[0], r[1], r[2], r[3], Decimal(r[4]), r[5]) for r in rows]

    def returns(self, customer_id: str) -> list[ReturnSummary]:
        """Return authorizations of the customer's orders, whichever channel or store authorized them."""
        ra = return_authorizations
        units = func.coalesce(func.sum(return_lines.c.quantity), 0)
        rows = self._c.execute(
            select(ra.c.id, ra.c.order_id, ra.c.channel, ra.c.method, ra.c.status, units, ra.c.created_at)
            .join(orders, orders.c.id == ra.c.order_id)
            .outerjoin(return_lines, return_lines.c.return_id == ra.c.id)
            .where(orders.c.customer_id == customer_id)
            .group_by(ra.c.id).order_by(ra.c.created_at, ra.c.id)
        )
        return [ReturnSummary(r[0], r[1], r[2], r[3], r[4], int(r[5]), r[6]) for r in rows]

    def pos_transactions(self, customer_id: str) -> list[PosSummary]:
        p = pos_transactions
        rows = self._c.execute(
            select(p.c.transaction_id, p.c.kind, locations.c.code, p.c.occurred_at, p.c.total)
            .join(locations, locations.c.id == p.c.location_id)
            .where(p.c.customer_id == customer_id).order_by(p.c.occurred_at, p.c.id)
        )
        return [PosSummary(r[0], r[1], r[2], r[3], r[4]) for r in rows]
