"""Routing profiles in the console over HTTP: the list, the edit form checked by the API's own rules, a refused
field named beside its input, and who may read or change them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.e2e.conftest import NYC, Headers, row_counts
from tests.e2e.test_console_http import csrf_of, sign_in
from tests.e2e.test_console_orders import people

__all__ = ["people"]
pytestmark = pytest.mark.usefixtures("people")
DEFAULT_FORM = {"channels": "", "excluded_locations": "", "max_distance_miles": "", "max_packages": "3",
                "split_threshold": "1.0", "pickup_lead_minutes": "120", "safety_buffer_by_location": "",
                "enforce_promise": "on", "look_ahead": "on"}


def problems_beside(page: str, field: str) -> list[str]:
    """The field errors shown right after the input named `field`, before the next field's label."""
    after = page.split(f'name="{field}"', 1)[1]
    return re.findall(r'class="field-error" role="alert">([^<]*)<', re.split(r"<label|<div|<h2", after)[0])


def send(api: TestClient, name: str, **changes: Any) -> Any:
    token = csrf_of(api.get(f"/routing/profiles/{name}").text)
    return api.post(f"/routing/profiles/{name}", data={**DEFAULT_FORM, "csrf_token": token, **changes},
                    follow_redirects=False)


def test_the_list_shows_the_default_profile(api: TestClient) -> None:
    sign_in(api, "olivia")
    page = api.get("/routing/profiles")
    assert page.status_code == 200
    assert '<a href="/routing/profiles/default">default</a>' in page.text


def test_an_edit_is_stored_as_the_api_would_store_it(api: TestClient, admin: Headers) -> None:
    sign_in(api, "olivia")
    saved = send(api, "default", channels="web, app", service_levels=["express", "standard"],
                 excluded_kinds="dark_store", max_distance_miles="250", buffer_store="2",
                 safety_buffer_by_location=f"{NYC}=4\n", max_packages="2", batchable="on")
    assert saved.status_code == 303
    assert saved.headers["location"] == "/routing/profiles/default?saved=1"
    stored = api.get("/v1/routing/profiles/default", headers=admin).json()
    assert stored == {**stored, "channels": ["app", "web"], "service_levels": ["express", "standard"],
                      "excluded_kinds": ["dark_store"], "max_distance_miles": 250.0, "max_packages": 2,
                      "safety_buffer_by_kind": {"store": 2}, "safety_buffer_by_location": {NYC: 4},
                      "batchable": True, "enforce_promise": True, "look_ahead": True}
    page = api.get(saved.headers["location"]).text
    assert "Saved: orders routed from now on follow it." in page
    assert 'name="channels" value="app, web"' in page


@pytest.mark.parametrize(("changes", "field", "problem"), [
    ({"max_packages": "11"}, "max_packages", "Input should be less than or equal to 10"),
    ({"max_packages": "two"}, "max_packages", "Input should be a valid integer"),
    ({"max_distance_miles": "-5"}, "max_distance_miles", "Input should be greater than 0"),
    ({"channels": "web, no spaces allowed"}, "channels", "String should match pattern"),
    ({"buffer_store": "-1"}, "safety_buffer_by_kind", "store: Input should be greater than or equal to 0"),
    ({"safety_buffer_by_location": "ST-NYC 4"}, "safety_buffer_by_location", "ST-NYC 4: write each as CODE=units"),
])
def test_a_bad_value_is_a_422_form_naming_the_field_and_nothing_is_stored(
        api: TestClient, engine: Engine, changes: dict[str, str], field: str, problem: str) -> None:
    sign_in(api, "olivia")
    before = row_counts(engine)
    refused = send(api, "default", **changes)
    assert refused.status_code == 422
    beside = "buffer_dropship_vendor" if field == "safety_buffer_by_kind" else field  # the last kind's input
    [shown] = problems_beside(refused.text, beside)
    assert problem in shown
    assert row_counts(engine) == before
    for value in changes.values():
        assert value.strip() in refused.text  # shown back as typed


def test_the_form_needs_its_token_and_the_right_role(api: TestClient, admin: Headers) -> None:
    sign_in(api, "olivia")
    forged = api.post("/routing/profiles/default", data={**DEFAULT_FORM, "max_packages": "1", "csrf_token": "x"})
    assert forged.status_code == 403
    assert api.get("/v1/routing/profiles/default", headers=admin).json()["max_packages"] == 3
    assert api.get("/routing/profiles/nope").status_code == 404
    api.cookies.clear()
    sign_in(api, "sam")
    page = api.get("/routing/profiles/default")
    assert page.status_code == 403
    assert "Not yours to open" in page.text
    refused = api.post("/routing/profiles/default", data={**DEFAULT_FORM, "csrf_token": csrf_of(page.text)})
    assert refused.status_code == 403
    assert api.get("/v1/routing/profiles/default", headers=admin).json()["max_packages"] == 3
