"""A location's ship cut-off over HTTP: "HH:MM" local time in, the same out; anything else is a 422 naming it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.e2e.conftest import NYC, Headers, Network, created, error_of, location_body, row_counts
from tests.factories import ZIP

BAD_TIMES: list[Any] = ["25:00", "15:60", "3pm", "15:00:00", "1500", "7:30", "", 15, 15.5, None, ["15:00"],
                        "15:00+01:00", "15:00\u0000"]


def test_a_ship_cutoff_is_stored_as_given_and_changed_by_a_patch(api: TestClient, admin: Headers) -> None:
    # when: a store is created with a 17:30 cut-off, and a warehouse without one
    store = created(api.post("/v1/locations", headers=admin, json=location_body(NYC, ZIP["NYC"], ship_cutoff="17:30")))
    warehouse = created(api.post("/v1/locations", headers=admin, json=location_body("WH-CHI", ZIP["CHI"], "warehouse")))

    # then: the store keeps its own, the warehouse ships until 15:00
    assert (store["ship_cutoff"], warehouse["ship_cutoff"]) == ("17:30", "15:00")

    # when: the store's cut-off moves to the morning
    response = api.patch(f"/v1/locations/{NYC}", headers=admin, json={"ship_cutoff": "09:05"})

    # then: it reads back at once, and nothing else changed
    assert response.status_code == 200, response.text
    assert response.json() == {**store, "ship_cutoff": "09:05"}
    assert api.get(f"/v1/locations/{NYC}", headers=admin).json() == response.json()


@pytest.mark.parametrize("value", BAD_TIMES, ids=[repr(v) for v in BAD_TIMES])
def test_a_cutoff_that_is_not_hh_mm_is_refused_naming_it(
    api: TestClient, network: Network, admin: Headers, engine: Engine, value: Any
) -> None:
    before = row_counts(engine)

    new_location = location_body("ST-X", ZIP["NYC"], ship_cutoff=value)
    created_response = api.post("/v1/locations", headers=admin, json=new_location)
    patched_response = api.patch(f"/v1/locations/{NYC}", headers=admin, json={"ship_cutoff": value})

    for response in (created_response, patched_response):
        details = error_of(response, 422, "invalid_input")
        assert [e["field"] for e in details["errors"]] == ["ship_cutoff"], details
    assert row_counts(engine) == before
    assert api.get(f"/v1/locations/{NYC}", headers=admin).json()["ship_cutoff"] == "15:00"
