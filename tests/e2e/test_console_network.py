"""The network page over HTTP: the map's data, today's load against capacity, and switching fulfillment on or off
(admins only, with the page's CSRF token, through the same use case as PATCH /v1/locations/{code})."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.services.users import create_user
from tests.conftest import NOW
from tests.e2e.conftest import CHI, NYC, PHL, TEE, Headers, Network, created, order_body
from tests.e2e.test_console_http import PASSWORD, csrf_of, sign_in


@pytest.fixture
def people(uow: UnitOfWork, network: Network) -> None:
    create_user(uow, "ada", "admin", PASSWORD, NOW)
    create_user(uow, "olivia", "operator", PASSWORD, NOW)
    create_user(uow, "sam", f"store:{NYC}", PASSWORD, NOW)


def row(page: str, code: str) -> str:
    found = re.search(rf'<tr data-location="{code}".*?</tr>', page, re.S)
    assert found, page
    return found.group(0)


def map_of(page: str) -> dict[str, Any]:
    found = re.search(r"const map = (\{.*?\});\n", page, re.S)
    assert found
    chart: dict[str, Any] = json.loads(found.group(1))
    return chart


def enabled(api: TestClient, admin: Headers, code: str) -> bool:
    return bool(api.get(f"/v1/locations/{code}", headers=admin).json()["fulfillment_enabled"])


@pytest.mark.usefixtures("people")
def test_an_admin_switches_a_store_off_and_the_table_map_api_and_outbox_all_say_so(
        api: TestClient, admin: Headers, uow: UnitOfWork) -> None:
    sign_in(api, "ada")
    page = api.get("/network")
    assert page.status_code == 200
    assert 'badge on">on' in row(page.text, PHL)
    switched = api.post(f"/network/{PHL}/fulfillment", data={"csrf_token": csrf_of(page.text), "enabled": "false"},
                        follow_redirects=False)
    assert switched.status_code == 303
    assert switched.headers["location"] == f"/network?done={PHL}+off"
    assert enabled(api, admin, PHL) is False
    after = api.get("/network").text
    assert 'class="switched-off"' in row(after, PHL)
    assert "Switch on" in row(after, PHL)
    markers = {code: symbol for trace in map_of(after)["data"][1:]
               for code, symbol in zip(trace["customdata"], trace["marker"]["symbol"], strict=True)}
    assert markers == {NYC: "circle", PHL: "circle-open", CHI: "square"}
    with uow.reading() as reader:
        events = [e for e in reader.outbox.for_entity(PHL) if e.type == "location.updated"]
    assert [(e.payload["changed"], e.payload["fulfillment_enabled"]) for e in events] == [
        (["fulfillment_enabled"], False)]


@pytest.mark.usefixtures("people")
def test_the_map_colours_a_location_by_todays_orders_against_its_capacity(
        api: TestClient, admin: Headers, web_channel: Headers) -> None:
    for code in (NYC, PHL):
        assert api.patch(f"/v1/locations/{code}", headers=admin, json={"daily_order_capacity": 4}).status_code == 200
    order = created(api.post("/v1/orders", headers=web_channel, json=order_body("W-1", {TEE: 1})))
    at = order["fulfillments"][0]["location"]
    sign_in(api, "ada")
    page = api.get("/network").text
    assert "1 / 4" in row(page, at)
    assert "no limit" in row(page, CHI)
    limited, unlimited = map_of(page)["data"][1:]
    assert dict(zip(limited["customdata"], limited["marker"]["color"], strict=True))[at] == 0.25
    assert unlimited["customdata"] == [CHI]
    outline = map_of(page)["data"][0]
    assert len(outline["x"]) > 1000  # the country's silhouette, drawn from ZIP codes without the internet


@pytest.mark.usefixtures("people")
def test_an_operator_sees_the_network_read_only_and_cannot_switch(api: TestClient, admin: Headers) -> None:
    sign_in(api, "olivia")
    page = api.get("/network")
    assert page.status_code == 200
    assert "/fulfillment" not in page.text
    refused = api.post(f"/network/{NYC}/fulfillment", data={"csrf_token": csrf_of(page.text), "enabled": "false"})
    assert refused.status_code == 403
    assert "Admins only" in refused.text
    assert enabled(api, admin, NYC) is True


@pytest.mark.usefixtures("people")
def test_a_switch_needs_the_pages_csrf_token_and_a_known_location(api: TestClient, admin: Headers) -> None:
    sign_in(api, "ada")
    forged = api.post(f"/network/{NYC}/fulfillment", data={"csrf_token": "forged", "enabled": "false"})
    assert forged.status_code == 403
    assert enabled(api, admin, NYC) is True
    token = csrf_of(api.get("/network").text)
    unknown = api.post("/network/NOWHERE/fulfillment", data={"csrf_token": token, "enabled": "false"})
    assert unknown.status_code == 404
    assert "no location NOWHERE" in unknown.text
    nonsense = api.post(f"/network/{NYC}/fulfillment", data={"csrf_token": token, "enabled": "maybe"})
    assert nonsense.status_code == 422
    assert enabled(api, admin, NYC) is True


@pytest.mark.usefixtures("people")
def test_a_store_associate_gets_the_403_page(api: TestClient) -> None:
    sign_in(api, "sam")
    page = api.get("/network")
    assert page.status_code == 403
    assert "Head office only" in page.text
