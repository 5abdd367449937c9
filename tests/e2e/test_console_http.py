"""The console over HTTP: signing in, cookies, CSRF, roles. The browser tests drive the same pages in Chromium."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.entrypoints.cli import app as cli
from omnifill.services.users import create_user
from tests.conftest import NOW
from tests.e2e.conftest import NYC, PHL, TEE, Headers, Network, created, order_body

PASSWORD = "a long enough passphrase"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD, next_page: str = "") -> httpx.Response:
    form = client.get("/login")
    form_data = {"username": username, "password": password, "csrf_token": csrf_of(form.text), "next": next_page}
    response: httpx.Response = client.post("/login", data=form_data, follow_redirects=False)
    return response


@pytest.fixture
def people(uow: UnitOfWork) -> None:
    create_user(uow, "olivia", "operator", PASSWORD, NOW)
    create_user(uow, "sam", f"store:{NYC}", PASSWORD, NOW)


def test_a_page_asks_a_stranger_to_sign_in_first(api: TestClient) -> None:
    response = api.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"


@pytest.mark.usefixtures("people")
def test_signing_in_sets_an_httponly_samesite_session_cookie(api: TestClient) -> None:
    response = sign_in(api, "Olivia")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("omnifill_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie
    overview = api.get("/")
    assert overview.status_code == 200
    assert "Overview" in overview.text
    assert "olivia" in overview.text


@pytest.mark.usefixtures("people")
def test_a_wrong_password_or_a_forged_form_opens_no_session(api: TestClient) -> None:
    wrong = sign_in(api, "olivia", "not the passphrase")
    assert wrong.status_code == 401
    assert "Wrong username or password" in wrong.text
    api.cookies.clear()
    forged = api.post("/login", data={"username": "olivia", "password": PASSWORD, "csrf_token": "guess"},
                      follow_redirects=False)
    assert forged.status_code == 403
    assert api.get("/", follow_redirects=False).status_code == 303


@pytest.mark.usefixtures("people")
def test_signing_out_needs_the_pages_csrf_token_and_ends_the_session(api: TestClient) -> None:
    sign_in(api, "olivia")
    page = api.get("/")
    assert api.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False).status_code == 403
    assert api.get("/").status_code == 200
    out = api.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert api.get("/", follow_redirects=False).status_code == 303


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil.example"])
def test_sign_in_never_redirects_off_the_site(api: TestClient, target: str) -> None:
    response = sign_in(api, "olivia", next_page=target)
    assert response.headers["location"] == "/"


def chart_of(page: str, element_id: str) -> Any:
    found = re.search(rf'id="{element_id}" class="chart" data-chart="([^"]*)"', page)
    assert found, page
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.usefixtures("people")
def test_the_overview_shows_kpis_open_work_and_charts(api: TestClient, network: Network, web_channel: Headers,
                                                      app_channel: Headers) -> None:
    created(api.post("/v1/orders", headers=web_channel, json=order_body("W-1", {TEE: 1})))
    created(api.post("/v1/orders", headers=web_channel, json=order_body("W-2", {TEE: 1}, pickup=NYC)))
    created(api.post("/v1/orders", headers=app_channel, json=order_body("A-1", {TEE: 1}, channel="app")))
    sign_in(api, "olivia")
    page = api.get("/").text
    assert re.search(r'<span class="count">3</span><span class="label">pending</span>', page)
    # Perfect ÷ all orders: none is delivered yet. Return rate: nothing sold yet, so nothing to divide by.
    assert '<span class="count">0.0%</span><span class="label">Perfect orders</span>' in page
    assert '<span class="count">—</span><span class="label">Return rate</span>' in page
    channels = chart_of(page, "orders-by-channel")["data"][0]
    assert (channels["x"], channels["y"]) == (["app", "web"], [1, 2])
    methods = chart_of(page, "orders-by-method")["data"][0]
    assert dict(zip(methods["x"], methods["y"], strict=True)) == {"bopis": 1, "ship_from_store": 2}
    trend = chart_of(page, "trend")["data"]
    assert (len(trend[0]["x"]), sum(trend[0]["y"])) == (7, 3)  # orders a day, every day of the week shown
    assert '<script src="/console/vendor/plotly.min.js">' in page
    for days, shown in (("30", 30), ("abc", 7), ("9" * 40, 7)):  # a period not offered is a week, never an error
        other = api.get(f"/?days={days}")
        assert other.status_code == 200
        assert len(chart_of(other.text, "trend")["data"][0]["x"]) == shown
    bundle = api.get("/console/vendor/plotly.min.js")
    assert bundle.status_code == 200
    assert len(bundle.content) > 1_000_000
    assert "https://" not in page.split("<main>")[0]  # nothing in the head comes from the internet


@pytest.mark.usefixtures("people", "network")
def test_a_store_associate_lands_on_their_store_and_cannot_open_another(api: TestClient) -> None:
    response = sign_in(api, "sam")
    assert response.headers["location"] == f"/stores/{NYC}"
    assert api.get("/", follow_redirects=False).headers["location"] == f"/stores/{NYC}"
    assert api.get(f"/stores/{NYC}").status_code == 200
    other = api.get(f"/stores/{PHL}")
    assert other.status_code == 403
    assert "Not your store" in other.text


def test_users_are_created_from_the_command_line_and_sign_in(api: TestClient, database_url: str) -> None:
    env = {"OMNIFILL_DATABASE_URL": database_url}
    made = CliRunner().invoke(cli, ["users", "create", "Rita", "--role", "operator"], env=env,
                              input=f"{PASSWORD}\n{PASSWORD}\n")
    assert made.exit_code == 0, made.output
    assert made.output.endswith("created rita (operator); they sign in at /login\n")
    refused = CliRunner().invoke(cli, ["users", "create", "vic", "--role", "channel:web"], env=env,
                                 input=f"{PASSWORD}\n{PASSWORD}\n")
    assert refused.exit_code == 2
    assert sign_in(api, "rita").status_code == 303
