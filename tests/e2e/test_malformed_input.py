"""No input, however malformed, gets a 5xx: each gets a 4xx in the one error shape, and nothing is written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from tests.e2e.conftest import (
    NYC,
    TEE,
    Headers,
    Network,
    error_of,
    location_body,
    movement_body,
    order_body,
    row_counts,
    sku_body,
)

GOOD_ORDER = order_body("M-1", {TEE: 1})
JSON = {"Content-Type": "application/json"}


def with_line(**changes: Any) -> dict[str, Any]:
    return {**GOOD_ORDER, "lines": [{**GOOD_ORDER["lines"][0], **changes}]}


def without(body: dict[str, Any], field: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != field}


# (path, JSON body, the field the error must name)
INVALID_BODIES: list[tuple[str, Any, str]] = [
    ("/v1/orders", [GOOD_ORDER], "body"),
    ("/v1/orders", "an order", "body"),
    ("/v1/orders", None, "body"),
    ("/v1/orders", without(GOOD_ORDER, "lines"), "lines"),
    ("/v1/orders", {**GOOD_ORDER, "lines": []}, "lines"),
    ("/v1/orders", {**GOOD_ORDER, "surprise": 1}, "surprise"),
    ("/v1/orders", {**GOOD_ORDER, "channel": None}, "channel"),
    ("/v1/orders", {**GOOD_ORDER, "channel": "w e b"}, "channel"),
    ("/v1/orders", {**GOOD_ORDER, "external_id": "x" * 10_000}, "external_id"),
    ("/v1/orders", {**GOOD_ORDER, "external_id": "A\u0000B"}, "external_id"),
    ("/v1/orders", {**GOOD_ORDER, "customer": {"email": "pat@example.com", "name": "Pat\u0000"}}, "customer.name"),
    ("/v1/orders", {**GOOD_ORDER, "ship_to": {**GOOD_ORDER["ship_to"], "address_lines": ["1 Main\u0000St"]}},
     "ship_to.address_lines"),
    ("/v1/orders", {**GOOD_ORDER, "delivery": {"method": "teleport"}}, "delivery"),
    ("/v1/orders", {**GOOD_ORDER, "ship_to": {"postal_code": 10001}}, "ship_to.postal_code"),
    ("/v1/orders", {**GOOD_ORDER, "ship_to": {"postal_code": "00000"}}, "ship_to.postal_code"),
    ("/v1/orders", with_line(quantity="ten"), "lines[0].quantity"),
    ("/v1/orders", with_line(quantity=1.5), "lines[0].quantity"),
    ("/v1/orders", with_line(quantity=0), "lines[0].quantity"),
    ("/v1/orders", with_line(quantity=-3), "lines[0].quantity"),
    ("/v1/orders", with_line(quantity=10**30), "lines[0].quantity"),
    ("/v1/orders", with_line(quantity=[1]), "lines[0].quantity"),
    ("/v1/orders", with_line(unit_price=12.5), "lines[0].unit_price"),
    ("/v1/orders", with_line(unit_price="NaN"), "lines[0].unit_price"),
    ("/v1/orders", with_line(unit_price="1e999"), "lines[0].unit_price"),
    ("/v1/orders", with_line(unit_price="-1.00"), "lines[0].unit_price"),
    ("/v1/orders", with_line(unit_price="9" * 40), "lines[0].unit_price"),
    ("/v1/orders", with_line(sku="NO-SUCH-SKU"), "lines[0].sku"),
    ("/v1/orders", with_line(sku="TEE\u0000"), "lines[0].sku"),
    ("/v1/orders", order_body("M-2", {TEE: 1}, pickup="ST-NOWHERE"), "delivery.location"),
    ("/v1/skus", {**sku_body("NEW"), "unit_cost": "abc"}, "unit_cost"),
    ("/v1/skus", {**sku_body("NEW"), "weight_kg": "Infinity"}, "weight_kg"),
    ("/v1/skus", {**sku_body("NEW"), "gtin": "12345678901"}, "gtin"),
    ("/v1/skus", {**sku_body("NEW"), "gtin": "4006381333932"}, "gtin"),  # check digit off by one
    ("/v1/skus", without(sku_body("NEW"), "name"), "name"),
    ("/v1/locations", {**location_body("ST-X", "10001"), "kind": "castle"}, "kind"),
    ("/v1/locations", {**location_body("ST-X", "10001"), "capabilities": ["fly"]}, "capabilities[0]"),
    ("/v1/locations", {**location_body("ST-X", "10001"), "latitude": 123.0}, "latitude"),
    ("/v1/locations", {**location_body("ST-X", "10001"), "daily_order_capacity": -1}, "daily_order_capacity"),
    ("/v1/locations", {**location_body("ST-X", "10001"), "time_zone": "Mars/Olympus"}, "time_zone"),
    ("/v1/locations", {**location_body("ST-X", "10001"), "time_zone": "America/Nowhere"}, "time_zone"),
    ("/v1/inventory/movements", {**movement_body(TEE, NYC, "receipt", 1), "kind": "reservation"}, "kind"),
    ("/v1/inventory/movements", movement_body(TEE, NYC, "receipt", -5), "quantity"),
    ("/v1/inventory/movements", movement_body(TEE, NYC, "receipt", 10**40), "quantity"),
    ("/v1/inventory/movements", movement_body(TEE, NYC, "count", -1), "quantity"),
    ("/v1/inventory/movements", movement_body("NO-SUCH-SKU", NYC, "receipt", 1), "sku"),
    ("/v1/inventory/movements", movement_body(TEE, "ST-NOWHERE", "receipt", 1), "location"),
]


def error_fields(details: dict[str, Any]) -> set[str]:
    """The fields an error names: one `field`, or each of `errors[].field`."""
    if "errors" in details:
        return {e["field"] for e in details["errors"]}
    return {details["field"]} if "field" in details else set()


@pytest.mark.parametrize(("path", "body", "field"), INVALID_BODIES,
                         ids=[f"{p} {f} #{i}" for i, (p, _, f) in enumerate(INVALID_BODIES)])
def test_an_invalid_body_is_a_422_naming_the_field_and_writes_nothing(
    api: TestClient, network: Network, admin: Headers, engine: Engine, path: str, body: Any, field: str
) -> None:
    before = row_counts(engine)

    response = api.post(path, headers=admin, json=body)

    details = error_of(response, 422, "invalid_input")
    assert any(named == field or named.startswith(f"{field}.") for named in error_fields(details)), details
    assert row_counts(engine) == before


@pytest.mark.parametrize(
    ("content", "headers", "status"),
    [
        pytest.param(b'{"sku": ', JSON, 400, id="truncated-json"),
        pytest.param(b"", JSON, 422, id="empty-body"),  # no body at all: the body is a missing field
        pytest.param(b"\xff\xfe\x00garbage", JSON, 400, id="not-utf8"),
        pytest.param(b'{"a": ' * 5_000 + b"1" + b"}" * 5_000, JSON, 400, id="nested-5000-deep"),
        pytest.param(json.dumps(GOOD_ORDER).encode(), {"Content-Type": "text/plain"}, 415, id="text-plain"),
        pytest.param(b"channel=web", {"Content-Type": "application/x-www-form-urlencoded"}, 415, id="form"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(
    api: TestClient, network: Network, admin: Headers, engine: Engine, content: bytes, headers: Headers,
    status: int,
) -> None:
    before = row_counts(engine)

    response = api.post("/v1/orders", headers={**admin, **headers}, content=content)

    assert 400 <= response.status_code < 500, response.text
    assert response.status_code == status, response.text
    assert set(response.json()["error"]) == {"code", "message", "details"}
    assert row_counts(engine) == before


@pytest.mark.parametrize(
    "path",
    [
        "/v1/orders?limit=abc", "/v1/orders?limit=0", "/v1/orders?limit=501", "/v1/orders?limit=99999999999999999999",
        "/v1/orders?status=lost", "/v1/orders?cursor=!!!", "/v1/orders?cursor=MTIz",  # base64 of 123, not ours
        "/v1/skus?cursor=%00", "/v1/inventory?limit=-1", "/v1/locations?cursor=eyJ4IjogMX0",
        "/v1/orders/" + "x" * 5_000, "/v1/skus/%00", "/v1/locations/..%2F..%2Fetc", "/v1/orders/ord%00",
        "/v1/inventory?sku=%00", "/v1/orders?channel=web%00",
    ],
)
def test_a_malformed_query_or_path_is_a_4xx(api: TestClient, network: Network, admin: Headers, path: str) -> None:
    response = api.get(path, headers=admin)

    assert 400 <= response.status_code < 500, response.text
    assert set(response.json()["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize("key", ["", "   ", "k" * 256])
def test_an_unusable_idempotency_key_is_refused(
    api: TestClient, network: Network, admin: Headers, engine: Engine, key: str
) -> None:
    before = row_counts(engine)

    response = api.post("/v1/orders", headers={**admin, "Idempotency-Key": key}, json=GOOD_ORDER)

    assert "Idempotency-Key" in error_fields(error_of(response, 422, "invalid_input"))
    assert row_counts(engine) == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
# Order-shaped bodies whose fields hold anything at all.
order_shaped = st.fixed_dictionaries(
    {},
    optional={
        "channel": json_values | st.just("web"), "external_id": json_values, "customer": json_values,
        "ship_to": json_values | st.just(GOOD_ORDER["ship_to"]), "delivery": json_values,
        "lines": json_values | st.lists(st.fixed_dictionaries(
            {"sku": json_values | st.just(TEE), "quantity": json_values, "unit_price": json_values}
        ), max_size=3),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=order_shaped | json_values)
def test_any_json_at_all_is_never_a_5xx(
    api: TestClient, network: Network, admin: Headers, body: Any
) -> None:
    response = api.post("/v1/orders", headers={**admin, **JSON}, content=json.dumps(body).encode())

    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}


def test_a_location_cannot_be_moved_into_an_unknown_time_zone(
    api: TestClient, network: Network, admin: Headers, engine: Engine
) -> None:
    before = row_counts(engine)

    response = api.patch(f"/v1/locations/{NYC}", headers=admin, json={"time_zone": "Mars/Olympus"})

    assert error_fields(error_of(response, 422, "invalid_input")) == {"time_zone"}
    assert row_counts(engine) == before
    assert api.get(f"/v1/locations/{NYC}", headers=admin).json()["time_zone"] == "America/New_York"
