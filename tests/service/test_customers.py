"""One customer across channels, on every backend: identities written any way resolve to one profile, and two
profiles that turn out to be one person are merged."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from omnifill.adapters.sql.tables import orders
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.customers import Identity, IdentityKind
from omnifill.domain.errors import InvalidInput, NotFound
from omnifill.domain.orders import Customer
from omnifill.domain.pos import PosCustomer, PosKind
from omnifill.services.customers import find_customers, get_customer
from omnifill.services.orders import place_order
from omnifill.services.pos import TillLine, TillReport, record_pos
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, ship_order, stock

PHONE = Identity(IdentityKind.PHONE, "+12125550100")


@pytest.fixture
def network(uow: UnitOfWork) -> UnitOfWork:
    add_sku(uow, NOW, "A")
    add_location(uow, NOW, "PHL", ZIP["PHL"])
    stock(uow, {("A", "PHL"): 20})
    return uow


def order_by(uow: UnitOfWork, external_id: str, customer: Customer, at: timedelta = timedelta(0)) -> str:
    placed = place_order(uow, replace(ship_order(external_id, {"A": 1}), customer=customer), "channel:web", NOW + at)
    return placed.order_id


def till_sale(uow: UnitOfWork, transaction_id: str, customer: PosCustomer | None, at: timedelta = timedelta(0)) -> str:
    report = TillReport(PosKind.SALE, transaction_id, NOW + at, (TillLine(2, "A", unit_price=Decimal("5.00")),),
                        customer)
    customer_id: str | None = record_pos(uow, report, "PHL", "store:PHL", NOW + at).result["customer_id"]
    assert customer_id is not None
    return customer_id


def customer_of_order(uow: UnitOfWork, order_id: str) -> str | None:
    with uow.engine.connect() as connection:
        found: str | None = connection.execute(
            select(orders.c.customer_id).where(orders.c.id == order_id)).scalar_one()
        return found


def test_a_web_order_and_a_till_sale_with_one_phone_written_two_ways_are_one_customer(network: UnitOfWork) -> None:
    order_id = order_by(network, "W-1", Customer(email="Pat@Example.com", name="Pat Lee", phone="(212) 555-0100"))

    customer_id = till_sale(network, "T-1", PosCustomer(phone="+1 212-555-0100", loyalty_id="LOY-7"))

    assert customer_of_order(network, order_id) == customer_id
    profile = get_customer(network, customer_id)
    assert profile.name == "Pat Lee"
    assert profile.identities == [Identity(IdentityKind.EMAIL, "pat@example.com"),
                                  Identity(IdentityKind.LOYALTY_ID, "LOY7"), PHONE]
    assert [(o.id, o.channel, o.total) for o in profile.orders] == [(order_id, "web", Decimal("12.00"))]
    assert [(t.transaction_id, t.kind, t.location, t.total) for t in profile.pos_transactions] == [
        ("T-1", "sale", "PHL", Decimal("10.0000"))]


def test_identities_of_two_profiles_on_one_sale_merge_them_into_the_older(network: UnitOfWork) -> None:
    older = order_by(network, "W-1", Customer(email="pat@example.com"))
    newer = till_sale(network, "T-1", PosCustomer(loyalty_id="L-1"), at=timedelta(minutes=1))
    older_id = customer_of_order(network, older)
    assert older_id is not None
    assert older_id != newer

    joined = till_sale(network, "T-2", PosCustomer(email="PAT@example.com", loyalty_id="l1"), at=timedelta(minutes=2))

    assert joined == older_id
    profile = get_customer(network, newer)  # the merged-away id answers with the profile it joined
    assert (profile.id, profile.merged_ids) == (older_id, [newer])
    assert [t.transaction_id for t in profile.pos_transactions] == ["T-1", "T-2"]
    assert [o.id for o in profile.orders] == [older]
    with network.reading() as reader:
        assert [e.type for e in reader.outbox.for_entity(older_id)] == ["customer.merged"]


def test_a_customer_is_found_by_any_identity_however_it_is_written(network: UnitOfWork) -> None:
    customer_id = till_sale(network, "T-1", PosCustomer(email="pat@example.com", phone="2125550100",
                                                        loyalty_id="abc 123"))

    assert find_customers(network, "  PAT@example.com", None, None) == [customer_id]
    assert find_customers(network, None, "+1 (212) 555-0100", None) == [customer_id]
    assert find_customers(network, None, None, "ABC-123") == [customer_id]
    assert find_customers(network, "someone@else.com", None, None) == []


@pytest.mark.parametrize(
    ("email", "phone", "field"),
    [(None, None, "email"), ("pat@example.com", "2125550100", "email"), (None, "12", "phone")],
)
def test_a_lookup_needs_exactly_one_usable_identity(
    network: UnitOfWork, email: str | None, phone: str | None, field: str,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        find_customers(network, email, phone, None)

    assert refused.value.field == field


def test_an_order_or_sale_without_a_usable_identity_has_no_customer(network: UnitOfWork) -> None:
    order_id = order_by(network, "W-1", Customer(name="Cash Only", phone="555"))
    report = TillReport(PosKind.SALE, "T-1", NOW, (TillLine(1, "A", unit_price=Decimal("5.00")),))

    assert customer_of_order(network, order_id) is None
    assert record_pos(network, report, "PHL", "store:PHL", NOW).result["customer_id"] is None


def test_an_unknown_customer_is_not_found(network: UnitOfWork) -> None:
    with pytest.raises(NotFound):
        get_customer(network, "cus_0000000000000000000000000")
