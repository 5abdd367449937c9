"""Routing profiles over HTTP: the built-in default, create and replace, validation, and who may touch them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.e2e.conftest import Headers, Keys, created, error_of, row_counts

PROFILES = "/v1/routing/profiles"
DEFAULT_BODY: dict[str, Any] = {
    "name": "default", "channels": [], "service_levels": [], "excluded_locations": [], "excluded_kinds": [],
    "max_distance_miles": None, "safety_buffer_by_kind": {}, "safety_buffer_by_location": {},
    "enforce_promise": True, "max_packages": 3, "split_threshold": 1.0, "look_ahead": True, "batchable": False,
    "pickup_lead_minutes": 120,
}
SAME_DAY: dict[str, Any] = {
    "channels": ["web", "app"], "service_levels": ["same_day"], "excluded_locations": ["DV-ACME"],
    "excluded_kinds": ["dropship_vendor", "warehouse"], "max_distance_miles": 30, "safety_buffer_by_kind": {"store": 2},
    "safety_buffer_by_location": {"ST-NYC-01": 5}, "enforce_promise": False, "max_packages": 1,
    "split_threshold": 0, "look_ahead": False, "batchable": True, "pickup_lead_minutes": 45,
}
# As it reads back: named, sets sorted, numbers as the schema's types.
SAME_DAY_OUT = {**SAME_DAY, "name": "same-day", "channels": ["app", "web"], "max_distance_miles": 30.0,
                "split_threshold": 0.0}


def test_the_default_profile_is_there_before_anyone_stores_it(api: TestClient, admin: Headers) -> None:
    one = api.get(f"{PROFILES}/default", headers=admin)
    every = api.get(PROFILES, headers=admin)

    assert (one.status_code, one.json()) == (200, DEFAULT_BODY)
    assert (every.status_code, every.json()) == (200, {"items": [DEFAULT_BODY], "next_cursor": None})


def test_a_put_creates_a_profile_then_replaces_it_whole(api: TestClient, admin: Headers) -> None:
    # when: a same-day profile is put for the first time
    first = api.put(f"{PROFILES}/same-day", headers=admin, json=SAME_DAY)

    # then: 201, and it reads back as stored
    assert created(first) == SAME_DAY_OUT
    assert api.get(f"{PROFILES}/same-day", headers=admin).json() == SAME_DAY_OUT

    # when: it is put again with only two fields (its name included, as a GET returns it)
    second = api.put(f"{PROFILES}/same-day", headers=admin, json={"name": "same-day", "max_packages": 2})

    # then: 200, and every field left out is back at its default
    replaced = {**DEFAULT_BODY, "name": "same-day", "max_packages": 2}
    assert (second.status_code, second.json()) == (200, replaced)
    assert api.get(PROFILES, headers=admin).json()["items"] == [DEFAULT_BODY, replaced]


def test_a_stored_default_replaces_the_built_in_one(api: TestClient, admin: Headers) -> None:
    created(api.put(f"{PROFILES}/default", headers=admin, json={"split_threshold": 2.5}))

    tuned = {**DEFAULT_BODY, "split_threshold": 2.5}
    assert api.get(f"{PROFILES}/default", headers=admin).json() == tuned
    assert api.get(PROFILES, headers=admin).json()["items"] == [tuned]


def test_an_unknown_profile_is_not_found(api: TestClient, admin: Headers) -> None:
    assert error_of(api.get(f"{PROFILES}/nope", headers=admin), 404, "not_found") == {"profile": "nope"}


def test_an_operator_may_read_and_change_profiles(api: TestClient, operator: Headers) -> None:
    created(api.put(f"{PROFILES}/same-day", headers=operator, json=SAME_DAY))

    assert api.get(f"{PROFILES}/same-day", headers=operator).json() == SAME_DAY_OUT


# ------------------------------------------------------------------------------------------ refusals

BAD_BODIES: list[tuple[Any, str]] = [
    ({"surprise": 1}, "surprise"),
    ({"channels": "web"}, "channels"),
    ({"channels": None}, "channels"),
    ({"channels": ["two words"]}, "channels[0]"),
    ({"service_levels": ["overnight"]}, "service_levels[0]"),
    ({"excluded_locations": [""]}, "excluded_locations[0]"),
    ({"excluded_kinds": ["castle"]}, "excluded_kinds[0]"),
    ({"max_distance_miles": 0}, "max_distance_miles"),
    ({"max_distance_miles": -5}, "max_distance_miles"),
    ({"max_distance_miles": "NaN"}, "max_distance_miles"),
    ({"safety_buffer_by_kind": {"store": -1}}, "safety_buffer_by_kind.store"),
    ({"safety_buffer_by_kind": {"castle": 1}}, "safety_buffer_by_kind.castle"),
    ({"safety_buffer_by_kind": {"store": 1.5}}, "safety_buffer_by_kind.store"),
    ({"safety_buffer_by_location": {"ST-NYC-01": -2}}, "safety_buffer_by_location.ST-NYC-01"),
    ({"safety_buffer_by_location": {"bad code": 1}}, "safety_buffer_by_location.bad code"),
    ({"safety_buffer_by_location": []}, "safety_buffer_by_location"),
    ({"max_packages": 0}, "max_packages"),
    ({"max_packages": 11}, "max_packages"),
    ({"max_packages": None}, "max_packages"),
    ({"split_threshold": -0.01}, "split_threshold"),
    ({"split_threshold": "Infinity"}, "split_threshold"),
    ({"pickup_lead_minutes": -1}, "pickup_lead_minutes"),
    ({"pickup_lead_minutes": 10_081}, "pickup_lead_minutes"),
    ({"enforce_promise": "maybe"}, "enforce_promise"),
    ({"name": "other-name"}, "name"),
    ({"name": "x\u0000"}, "name"),
    ([], "body"),
]


def error_fields(details: dict[str, Any]) -> list[str]:
    return [e["field"] for e in details["errors"]]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES, ids=[f"{f} #{i}" for i, (_, f) in enumerate(BAD_BODIES)])
def test_a_bad_body_is_a_422_naming_the_field_and_writes_nothing(
    api: TestClient, admin: Headers, engine: Engine, body: Any, field: str
) -> None:
    before = row_counts(engine)

    response = api.put(f"{PROFILES}/same-day", headers=admin, json=body)

    fields = error_fields(error_of(response, 422, "invalid_input"))
    assert any(named == field or named.startswith(f"{field}.") for named in fields), fields
    assert row_counts(engine) == before
    error_of(api.get(f"{PROFILES}/same-day", headers=admin), 404, "not_found")


@pytest.mark.parametrize("name", ["x" * 65, "-lead", "two%20words"])
def test_a_profile_name_that_is_not_a_code_is_refused(
    api: TestClient, admin: Headers, engine: Engine, name: str
) -> None:
    before = row_counts(engine)

    response = api.put(f"{PROFILES}/{name}", headers=admin, json={})

    assert error_fields(error_of(response, 422, "invalid_input")) == ["name"]
    assert row_counts(engine) == before


@pytest.mark.parametrize("role", ["store:ST-NYC", "channel:web"])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("GET", PROFILES, None), ("GET", f"{PROFILES}/default", None), ("PUT", f"{PROFILES}/same-day", SAME_DAY)],
    ids=["list", "get", "put"],
)
def test_store_and_channel_keys_may_not_touch_routing(
    api: TestClient, keys: Keys, engine: Engine, role: str, method: str, path: str, body: dict[str, Any] | None
) -> None:
    headers = keys(role)
    before = row_counts(engine)

    response = api.request(method, path, headers=headers, json=body)

    needed = "routing:write" if method == "PUT" else "routing:read"
    assert error_of(response, 403, "forbidden")["permission"] == needed
    assert row_counts(engine) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("GET", PROFILES, None), ("GET", f"{PROFILES}/default", None), ("PUT", f"{PROFILES}/same-day", SAME_DAY)],
    ids=["list", "get", "put"],
)
def test_routing_needs_a_key(
    api: TestClient, engine: Engine, method: str, path: str, body: dict[str, Any] | None
) -> None:
    before = row_counts(engine)

    response = api.request(method, path, json=body)

    error_of(response, 401, "unauthenticated")
    assert row_counts(engine) == before


def test_the_openapi_document_lists_the_routing_routes(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]

    assert set(paths[PROFILES]) == {"get"}
    assert set(paths[f"{PROFILES}/{{name}}"]) == {"get", "put"}
