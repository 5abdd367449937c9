"""The routing repositories on every backend: profiles, decisions, backorders, waves and opportunity costs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from omnifill.adapters.sql.routing_repository import StoredDecision, StoredWave, profile_body, profile_from_body
from omnifill.adapters.sql.tables import backorders, orders, routing_decisions, routing_profiles
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.errors import NotFound
from omnifill.domain.locations import LocationKind
from omnifill.domain.orders import ServiceLevel
from omnifill.domain.routing.backorders import Backorder, BackorderStatus
from omnifill.domain.routing.profiles import RoutingProfile
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku

LATER = NOW + timedelta(minutes=10)
PROFILE = RoutingProfile(
    name="same-day", channels=frozenset({"web"}), service_levels=frozenset({ServiceLevel.SAME_DAY}),
    excluded_locations=frozenset({"DV-ACME"}), excluded_kinds=frozenset({LocationKind.WAREHOUSE}),
    max_distance_miles=30.0, safety_buffer_by_kind={LocationKind.STORE: 2}, safety_buffer_by_location={"ST-1": 4},
    enforce_promise=False, max_packages=1, split_threshold=0.5, look_ahead=False, batchable=True,
    pickup_lead_minutes=30,
)


def add_orders(engine: Engine, *order_ids: str) -> None:
    """Bare order rows for the foreign keys to point at (the order use cases are tested elsewhere)."""
    with engine.begin() as connection:
        connection.execute(insert(orders), [
            {"id": order_id, "channel": "web", "external_id": order_id, "status": "allocated",
             "customer": {}, "ship_to": None, "delivery_method": "ship", "service_level": "standard",
             "pickup_location": None, "created_at": NOW, "updated_at": NOW}
            for order_id in order_ids
        ])


def backorder(backorder_id: str, order_id: str = "ord_A", status: BackorderStatus = BackorderStatus.OPEN,
              sku: str = "TEE", quantity: int = 2) -> Backorder:
    return Backorder(backorder_id, order_id, sku, quantity, status, "no stock in the network", NOW)


# ------------------------------------------------------------------------------------------ profiles


def test_a_profile_round_trips_through_the_json_column(uow: UnitOfWork) -> None:
    with uow:
        created = uow.routing_profiles.put(PROFILE, NOW)
        uow.commit()

    with uow.reading() as reader:
        assert (created, reader.routing_profiles.get("same-day")) == (True, PROFILE)
        assert reader.routing_profiles.all() == [PROFILE]
        assert reader.routing_profiles.get("nope") is None


def test_putting_a_profile_again_replaces_its_body_and_keeps_its_creation_time(
    uow: UnitOfWork, engine: Engine
) -> None:
    replacement = RoutingProfile(name="same-day", max_packages=2)
    with uow:
        uow.routing_profiles.put(PROFILE, NOW)
        uow.commit()

    with uow:
        created = uow.routing_profiles.put(replacement, LATER)
        uow.commit()

    with uow.reading() as reader:
        assert (created, reader.routing_profiles.all()) == (False, [replacement])
    with engine.connect() as connection:
        row = connection.execute(select(routing_profiles)).mappings().one()
    assert (row["created_at"], row["updated_at"]) == (NOW, LATER)
    assert row["body"] == profile_body(replacement)


def test_profiles_list_in_name_order(uow: UnitOfWork) -> None:
    with uow:
        for name in ("zeta", "alpha", "mid"):
            uow.routing_profiles.put(RoutingProfile(name=name), NOW)
        uow.commit()

    with uow.reading() as reader:
        assert [p.name for p in reader.routing_profiles.all()] == ["alpha", "mid", "zeta"]


def test_the_body_holds_sorted_lists_and_enum_values() -> None:
    body = profile_body(RoutingProfile(
        channels=frozenset({"web", "app"}), excluded_kinds=frozenset({LocationKind.STORE, LocationKind.DARK_STORE}),
        safety_buffer_by_kind={LocationKind.WAREHOUSE: 1, LocationKind.STORE: 3},
    ))

    assert body["channels"] == ["app", "web"]
    assert body["excluded_kinds"] == ["dark_store", "store"]
    assert body["safety_buffer_by_kind"] == {"store": 3, "warehouse": 1}
    assert "name" not in body


def test_a_body_written_before_a_field_existed_reads_with_its_default() -> None:
    old: dict[str, Any] = {"channels": ["web"], "max_packages": 2, "retired_setting": True}

    assert profile_from_body("web", old) == RoutingProfile(name="web", channels=frozenset({"web"}), max_packages=2)


# ----------------------------------------------------------------------------------------- decisions


def test_decisions_are_numbered_per_order_from_one(uow: UnitOfWork, engine: Engine) -> None:
    add_orders(engine, "ord_A", "ord_B")
    with uow:
        numbers = [
            uow.routing_decisions.add("ord_A", "initial", "default", {"plan": [{"location": "ST-1", "units": 2}]}, NOW),
            uow.routing_decisions.add("ord_B", "initial", "same-day", {"plan": []}, NOW),
            uow.routing_decisions.add("ord_A", "reroute", "default", {"reason": "store rejected"}, LATER),
        ]
        uow.commit()

    with uow.reading() as reader:
        trail = reader.routing_decisions.for_order("ord_A")
        assert reader.routing_decisions.for_order("ord_C") == []
    assert numbers == [1, 1, 2]
    assert trail == [
        StoredDecision(1, "initial", "default", {"plan": [{"location": "ST-1", "units": 2}]}, NOW),
        StoredDecision(2, "reroute", "default", {"reason": "store rejected"}, LATER),
    ]


def test_two_decisions_cannot_share_a_sequence_number(uow: UnitOfWork, engine: Engine) -> None:
    add_orders(engine, "ord_A")
    with uow:
        uow.routing_decisions.add("ord_A", "initial", "default", {}, NOW)
        uow.commit()

    with engine.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(insert(routing_decisions).values(
            order_id="ord_A", sequence=1, kind="reroute", profile="default", body={}, created_at=NOW,
        ))


# ---------------------------------------------------------------------------------------- backorders


def test_backorders_read_back_as_added(uow: UnitOfWork, engine: Engine) -> None:
    add_orders(engine, "ord_A", "ord_B")
    rows = [backorder("bo_1"), backorder("bo_2", "ord_B", sku="MUG", quantity=1), backorder("bo_3", sku="MUG")]
    with uow:
        uow.backorders.add(rows, NOW)
        uow.backorders.add([], NOW)
        uow.commit()

    with uow.reading() as reader:
        assert reader.backorders.for_order("ord_A") == [rows[0], rows[2]]
        assert reader.backorders.for_order("ord_B") == [rows[1]]
        assert reader.backorders.page(None, None, 10) == rows


def test_backorders_page_by_status_in_id_order(uow: UnitOfWork, engine: Engine) -> None:
    add_orders(engine, "ord_A")
    rows = [backorder(f"bo_{i}", status=BackorderStatus.CANCELLED if i == 2 else BackorderStatus.OPEN)
            for i in range(1, 6)]
    with uow:
        uow.backorders.add(rows, NOW)
        uow.commit()

    with uow.reading() as reader:
        first = reader.backorders.page("open", None, 2)
        second = reader.backorders.page("open", first[-1].id, 2)
        last = reader.backorders.page("open", second[-1].id, 2)
        cancelled = reader.backorders.page(BackorderStatus.CANCELLED, None, 10)

    assert [[b.id for b in page] for page in (first, second, last)] == [["bo_1", "bo_3"], ["bo_4", "bo_5"], []]
    assert [b.id for b in cancelled] == ["bo_2"]


def test_a_status_change_happens_only_from_the_expected_status(uow: UnitOfWork, engine: Engine) -> None:
    add_orders(engine, "ord_A")
    with uow:
        uow.backorders.add([backorder("bo_1"), backorder("bo_2")], NOW)
        uow.commit()

    with uow:
        allocated = uow.backorders.change_status("bo_1", "open", "allocated", LATER)
        again = uow.backorders.change_status("bo_1", "open", "cancelled", LATER)
        missing = uow.backorders.change_status("bo_9", "open", "cancelled", LATER)
        uow.commit()

    assert (allocated, again, missing) == (True, False, False)
    with engine.connect() as connection:
        rows = connection.execute(
            select(backorders.c.id, backorders.c.status, backorders.c.updated_at).order_by(backorders.c.id)
        ).all()
    assert [tuple(r) for r in rows] == [("bo_1", "allocated", LATER), ("bo_2", "open", NOW)]


def test_the_database_refuses_a_backorder_of_no_units(engine: Engine) -> None:
    add_orders(engine, "ord_A")

    with engine.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(insert(backorders).values(
            id="bo_1", order_id="ord_A", sku="TEE", quantity=0, status="open", reason="none", created_at=NOW,
            updated_at=NOW,
        ))


# --------------------------------------------------------------------------------------------- waves


def test_a_wave_reads_back_as_added(uow: UnitOfWork) -> None:
    body = {"orders": ["ord_A", "ord_B"], "saved": 3.25}
    with uow:
        uow.waves.add("wave_1", body, NOW)
        uow.commit()

    with uow.reading() as reader:
        assert reader.waves.get("wave_1") == StoredWave("wave_1", body, NOW)
        assert reader.waves.get("wave_2") is None


# --------------------------------------------------------------------------------- opportunity costs


@pytest.fixture
def catalog(uow: UnitOfWork) -> UnitOfWork:
    for code in ("TEE", "MUG"):
        add_sku(uow, NOW, code)
    add_location(uow, NOW, "ST-NYC", ZIP["NYC"])
    add_location(uow, NOW, "WH-CHI", ZIP["CHI"])
    return uow


def test_opportunity_costs_replace_the_last_solve_whole(catalog: UnitOfWork) -> None:
    with catalog:
        catalog.opportunity_costs.replace([("TEE", "ST-NYC", 1.25), ("MUG", "WH-CHI", 0.5)], NOW)
        catalog.commit()

    with catalog:
        catalog.opportunity_costs.replace([("TEE", "WH-CHI", 0.75)], LATER)
        catalog.commit()

    with catalog.reading() as reader:
        assert reader.opportunity_costs.all() == {("TEE", "WH-CHI"): 0.75}


def test_an_empty_solve_clears_the_costs(catalog: UnitOfWork) -> None:
    with catalog:
        catalog.opportunity_costs.replace([("TEE", "ST-NYC", 1.25)], NOW)
        catalog.opportunity_costs.replace([], LATER)
        catalog.commit()

    with catalog.reading() as reader:
        assert reader.opportunity_costs.all() == {}


def test_unknown_codes_are_refused_by_name_and_the_last_solve_stays(catalog: UnitOfWork) -> None:
    with catalog:
        catalog.opportunity_costs.replace([("TEE", "ST-NYC", 1.25)], NOW)
        catalog.commit()

    with catalog, pytest.raises(NotFound) as refused:
        catalog.opportunity_costs.replace([("TEE", "ST-NYC", 2.0), ("HAT", "ST-NYC", 1.0), ("MUG", "ST-X", 1.0)],
                                          LATER)

    assert refused.value.details == {"skus": ["HAT"], "locations": ["ST-X"]}
    with catalog.reading() as reader:
        assert reader.opportunity_costs.all() == {("TEE", "ST-NYC"): 1.25}
