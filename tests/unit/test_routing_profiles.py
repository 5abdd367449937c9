"""Routing profiles: which one an order follows, and what a profile may not say."""

from __future__ import annotations

from typing import Any

import pytest

from omnifill.domain.errors import InvalidInput
from omnifill.domain.locations import LocationKind
from omnifill.domain.orders import DeliveryMethod, ServiceLevel
from omnifill.domain.routing.profiles import RoutingProfile, profile_for

SHIP, PICKUP = DeliveryMethod.SHIP, DeliveryMethod.PICKUP
PROFILES = [
    RoutingProfile(name="express", service_levels=frozenset({ServiceLevel.EXPRESS})),
    RoutingProfile(name="marketplace", channels=frozenset({"amazon"})),
    RoutingProfile(name="marketplace-express", channels=frozenset({"amazon"}),
                   service_levels=frozenset({ServiceLevel.EXPRESS})),
]


@pytest.mark.parametrize(("channel", "method", "level", "expected"), [
    ("web", SHIP, ServiceLevel.STANDARD, "default"),
    ("web", SHIP, ServiceLevel.EXPRESS, "express"),
    ("amazon", SHIP, ServiceLevel.STANDARD, "marketplace"),
    ("amazon", SHIP, ServiceLevel.EXPRESS, "marketplace-express"),  # channel and level beat either alone
    ("amazon", PICKUP, None, "marketplace"),
    ("web", PICKUP, None, "default"),
])
def test_the_most_specific_matching_profile_wins(
    channel: str, method: DeliveryMethod, level: ServiceLevel | None, expected: str
) -> None:
    assert profile_for(PROFILES, channel, method, level).name == expected


def test_equally_specific_profiles_are_decided_by_name() -> None:
    web = frozenset({"web"})
    twins = [RoutingProfile(name="b", channels=web), RoutingProfile(name="a", channels=web)]

    assert profile_for(twins, "web", SHIP, ServiceLevel.STANDARD).name == "a"


def test_a_location_buffer_overrides_its_kind() -> None:
    profile = RoutingProfile(safety_buffer_by_kind={LocationKind.STORE: 2}, safety_buffer_by_location={"FLAGSHIP": 5})

    assert profile.safety_buffer("FLAGSHIP", LocationKind.STORE) == 5
    assert profile.safety_buffer("MALL", LocationKind.STORE) == 2
    assert profile.safety_buffer("WH", LocationKind.WAREHOUSE) == 0


@pytest.mark.parametrize(("settings", "field", "problem"), [
    ({"name": ""}, "name", "must be 1 to 64 characters"),
    ({"max_packages": 0}, "max_packages", "must be between 1 and 10"),
    ({"max_packages": 11}, "max_packages", "must be between 1 and 10"),
    ({"split_threshold": -0.01}, "split_threshold", "must not be negative"),
    ({"max_distance_miles": 0.0}, "max_distance_miles", "must be positive (leave it out for no limit)"),
    ({"pickup_lead_minutes": -1}, "pickup_lead_minutes", "must be 0 to 10080"),
    ({"safety_buffer_by_kind": {LocationKind.STORE: -1}}, "safety_buffer_by_kind.store", "must not be negative"),
    ({"safety_buffer_by_location": {"MALL": -2}}, "safety_buffer_by_location.MALL", "must not be negative"),
])
def test_a_profile_refuses_nonsense_naming_the_field(settings: dict[str, Any], field: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        RoutingProfile(**settings)

    assert (refused.value.field, refused.value.problem) == (field, problem)
