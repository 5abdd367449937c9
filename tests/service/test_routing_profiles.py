"""Routing profiles through the use cases, on a real SQLite database."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.errors import NotFound
from omnifill.domain.locations import LocationKind
from omnifill.domain.orders import ServiceLevel
from omnifill.domain.routing.profiles import RoutingProfile
from omnifill.services.routing_profiles import get_profile, list_profiles, put_profile
from tests.conftest import NOW

# Every field away from its default, so a field that is lost or mangled on the way shows.
SAME_DAY = RoutingProfile(
    name="same-day",
    channels=frozenset({"web", "app"}),
    service_levels=frozenset({ServiceLevel.SAME_DAY, ServiceLevel.EXPRESS}),
    excluded_locations=frozenset({"ST-SAT-01", "DV-ACME"}),
    excluded_kinds=frozenset({LocationKind.DROPSHIP_VENDOR, LocationKind.WAREHOUSE}),
    max_distance_miles=30.5,
    safety_buffer_by_kind={LocationKind.STORE: 2, LocationKind.DARK_STORE: 0},
    safety_buffer_by_location={"ST-NYC-01": 5},
    enforce_promise=False,
    max_packages=1,
    split_threshold=2.75,
    look_ahead=False,
    batchable=True,
    pickup_lead_minutes=45,
)


def events(uow: UnitOfWork, name: str) -> list[tuple[str, bool]]:
    with uow.reading() as reader:
        return [(e.type, e.payload["created"]) for e in reader.outbox.for_entity(name)]


def test_the_sample_sets_every_field_away_from_its_default() -> None:
    default = RoutingProfile()
    same = [f.name for f in dataclasses.fields(RoutingProfile) if getattr(SAME_DAY, f.name) == getattr(default, f.name)]

    assert same == []


def test_a_stored_profile_reads_back_field_for_field(sqlite_uow: UnitOfWork) -> None:
    created = put_profile(sqlite_uow, SAME_DAY, NOW)

    assert created is True
    assert get_profile(sqlite_uow, "same-day") == SAME_DAY
    assert events(sqlite_uow, "same-day") == [("routing_profile.changed", True)]


def test_the_enums_read_back_as_enums(sqlite_uow: UnitOfWork) -> None:
    put_profile(sqlite_uow, SAME_DAY, NOW)

    stored = get_profile(sqlite_uow, "same-day")

    assert {type(s) for s in stored.service_levels} == {ServiceLevel}
    assert {type(k) for k in stored.excluded_kinds} == {LocationKind}
    assert {type(k) for k in stored.safety_buffer_by_kind} == {LocationKind}
    assert stored.safety_buffer("ST-PHL-01", LocationKind.STORE) == 2


def test_putting_a_profile_again_replaces_it_whole(sqlite_uow: UnitOfWork) -> None:
    put_profile(sqlite_uow, SAME_DAY, NOW)
    narrower = RoutingProfile(name="same-day", channels=frozenset({"app"}), max_packages=2)

    created = put_profile(sqlite_uow, narrower, NOW + timedelta(minutes=5))

    assert created is False
    assert get_profile(sqlite_uow, "same-day") == narrower
    assert list_profiles(sqlite_uow) == [RoutingProfile(), narrower]
    assert events(sqlite_uow, "same-day") == [("routing_profile.changed", True), ("routing_profile.changed", False)]


def test_the_event_carries_the_profile_as_stored(sqlite_uow: UnitOfWork) -> None:
    put_profile(sqlite_uow, SAME_DAY, NOW)

    with sqlite_uow.reading() as reader:
        payload = reader.outbox.for_entity("same-day")[0].payload

    assert payload["profile"] == "same-day"
    assert payload["body"]["channels"] == ["app", "web"]
    assert payload["body"]["safety_buffer_by_kind"] == {"dark_store": 0, "store": 2}


def test_the_default_profile_exists_before_anyone_stores_it(sqlite_uow: UnitOfWork) -> None:
    assert get_profile(sqlite_uow, "default") == RoutingProfile()
    assert list_profiles(sqlite_uow) == [RoutingProfile()]


def test_a_stored_default_replaces_the_built_in_one(sqlite_uow: UnitOfWork) -> None:
    tuned = RoutingProfile(max_packages=2, split_threshold=4.0)

    created = put_profile(sqlite_uow, tuned, NOW)

    assert created is True
    assert get_profile(sqlite_uow, "default") == tuned
    assert list_profiles(sqlite_uow) == [tuned]


def test_profiles_list_in_name_order_with_the_default_among_them(sqlite_uow: UnitOfWork) -> None:
    put_profile(sqlite_uow, SAME_DAY, NOW)
    put_profile(sqlite_uow, RoutingProfile(name="bulky", max_packages=1), NOW)

    assert [p.name for p in list_profiles(sqlite_uow)] == ["bulky", "default", "same-day"]


def test_an_unknown_profile_is_not_found_and_nothing_is_written(sqlite_uow: UnitOfWork) -> None:
    with pytest.raises(NotFound) as refused:
        get_profile(sqlite_uow, "nope")

    assert refused.value.details == {"profile": "nope"}
    with sqlite_uow.reading() as reader:
        assert (reader.routing_profiles.all(), reader.outbox.count()) == ([], 0)
