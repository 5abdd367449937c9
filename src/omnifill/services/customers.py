"""One customer across channels: resolve the identities an order or a till sale carries to one profile.

Resolution runs inside the caller's transaction (order intake, a POS sale), so the link is kept exactly when
the order or sale is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from omnifill.adapters.ids import new_id
from omnifill.adapters.sql.customer_repository import CustomerRow, OrderSummary, PosSummary, ReturnSummary
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.customers import Identity, identities_of, merge_survivor
from omnifill.domain.errors import InvalidInput, NotFound
from omnifill.domain.events import DomainEvent


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    id: str
    name: str | None
    created_at: datetime
    merged_ids: list[str]
    identities: list[Identity]
    orders: list[OrderSummary]
    pos_transactions: list[PosSummary]
    returns: list[ReturnSummary]


def resolve_customer(
    uow: UnitOfWork, identities: tuple[Identity, ...], name: str | None, now: datetime,
) -> str | None:
    """The profile these identities belong to: an existing one, one made of several that turn out to be the same
    person (merged), or a new one. None when nothing identifies the customer (a cash sale)."""
    if not identities:
        return None
    owners = uow.customers.owners(identities)
    if len(owners) == len(identities) and len({p.id for p in owners.values()}) == 1:  # a returning customer
        survivor = next(iter(owners.values()))
        uow.customers.name_if_missing(survivor.id, name, now)
        return survivor.id
    survivor = merge_survivor(owners.values()) if owners else uow.customers.create(new_id("cus"), name, now)
    uow.customers.add_identities(survivor.id, identities, now)
    # Re-read: a concurrent request may have claimed one of our new identities first; it is the same person.
    owners = uow.customers.owners(identities)
    survivor = merge_survivor([survivor, *owners.values()])
    for loser in sorted({p.id for p in owners.values()} - {survivor.id}):
        uow.customers.merge(loser, survivor.id, now)
        uow.outbox.add([DomainEvent("customer.merged", "customer", survivor.id,
                                    {"customer_id": survivor.id, "merged_id": loser}, now)])
    uow.customers.name_if_missing(survivor.id, name, now)
    return survivor.id


def order_customer(
    uow: UnitOfWork, email: str | None, phone: str | None, name: str | None, now: datetime,
) -> str | None:
    """Order intake's hook: the profile the order's customer belongs to, stored with the order (in its
    transaction)."""
    return resolve_customer(uow, identities_of(email=email, phone=phone), name, now)


def get_customer(uow: UnitOfWork, customer_id: str) -> CustomerProfile:
    """A profile with its orders, returns and till transactions from every channel; a merged id shows the one it
    joined."""
    with uow.reading() as reader:
        row = _live(reader, customer_id)
        return CustomerProfile(
            row.id, row.name, row.created_at, reader.customers.merged_ids(row.id), reader.customers.identities(row.id),
            reader.customers.orders(row.id), reader.customers.pos_transactions(row.id),
            reader.customers.returns(row.id),
        )


def find_customers(uow: UnitOfWork, email: str | None, phone: str | None, loyalty_id: str | None) -> list[str]:
    """Ids of the profiles holding the one identity asked for (none or one), normalized as on intake."""
    given = [(field, value) for field, value in (("email", email), ("phone", phone), ("loyalty_id", loyalty_id))
             if value is not None]
    if len(given) != 1:
        raise InvalidInput("email", "give exactly one of email, phone or loyalty_id")
    field, value = given[0]
    identities = identities_of(**{field: value})
    if not identities:
        raise InvalidInput(field, f"not a usable {field.replace('_', ' ')}")
    with uow.reading() as reader:
        found = reader.customers.find(identities[0])
    return [found] if found else []


def _live(reader: UnitOfWork, customer_id: str) -> CustomerRow:
    row = reader.customers.get(customer_id)
    if row is not None and row.merged_into is not None:
        row = reader.customers.get(row.merged_into)
    if row is None:
        raise NotFound(f"no customer {customer_id}", customer_id=customer_id)
    return row
