"""The console's order desk over HTTP: the list and its filters, an order read whole with its routing explained,
cancel and re-route from the page, and a store associate kept to their own store's orders."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.services.users import create_user
from tests.conftest import NOW
from tests.e2e.conftest import (
    CHI,
    MUG,
    NYC,
    PHL,
    TEE,
    Headers,
    Network,
    act,
    created,
    order_body,
    row_counts,
)
from tests.e2e.test_console_http import PASSWORD, csrf_of, sign_in
from tests.e2e.test_returns_flow import assert_ledger_matches_balances

Order = dict[str, Any]


@pytest.fixture
def people(uow: UnitOfWork) -> None:
    create_user(uow, "olivia", "operator", PASSWORD, NOW)
    create_user(uow, "sam", f"store:{NYC}", PASSWORD, NOW)
    create_user(uow, "pia", f"store:{PHL}", PASSWORD, NOW)


@pytest.fixture
def two_orders(api: TestClient, network: Network, web_channel: Headers, app_channel: Headers,
               people: None) -> tuple[Order, Order]:
    """A web order of a tee (routed to the New York store) and an app order of a mug."""
    tee = created(api.post("/v1/orders", headers=web_channel, json=order_body("W-1", {TEE: 1})))
    mug = created(api.post("/v1/orders", headers=app_channel, json=order_body("A-1", {MUG: 1}, channel="app")))
    return tee, mug


def listed(page: str) -> list[str]:
    return re.findall(r'<a href="/orders/(ord_[0-9A-Z]+)">', page)


def test_the_list_filters_by_channel_status_date_and_id_newest_first(
        api: TestClient, two_orders: tuple[Order, Order]) -> None:
    tee, mug = two_orders
    sign_in(api, "olivia")
    assert listed(api.get("/orders").text) == [mug["id"], tee["id"]]
    assert listed(api.get("/orders", params={"channel": "web"}).text) == [tee["id"]]
    assert listed(api.get("/orders", params={"q": "A-1"}).text) == [mug["id"]]
    assert listed(api.get("/orders", params={"q": tee["id"]}).text) == [tee["id"]]
    assert listed(api.get("/orders", params={"status": "cancelled"}).text) == []
    assert listed(api.get("/orders", params={"location": NYC, "status": "allocated"}).text) == [mug["id"], tee["id"]]
    today = tee["created_at"][:10]
    assert listed(api.get("/orders", params={"from": today, "to": today}).text) == [mug["id"], tee["id"]]
    assert listed(api.get("/orders", params={"to": "2020-01-01"}).text) == []


def test_the_list_pages_by_cursor_and_keeps_its_filters(api: TestClient, two_orders: tuple[Order, Order]) -> None:
    tee, mug = two_orders
    sign_in(api, "olivia")
    first = api.get("/orders", params={"limit": 1, "location": NYC}).text
    assert listed(first) == [mug["id"]]
    next_page = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert next_page
    link = next_page.group(1).replace("&amp;", "&")
    assert f"location={NYC}" in link
    second = api.get(link).text
    assert listed(second) == [tee["id"]]
    assert 'rel="next"' not in second


@pytest.mark.parametrize(("params", "problem"), [
    ({"status": "lost"}, "status: must be one of"),
    ({"from": "yesterday"}, "from: must be a date like 2026-11-30"),
    ({"limit": "5000"}, "limit: must be a whole number from 1 to 200"),
    ({"cursor": "%%%"}, "cursor: not a cursor this API returned"),
])
def test_a_bad_filter_is_a_422_page_naming_it(api: TestClient, two_orders: tuple[Order, Order],
                                               params: dict[str, str], problem: str) -> None:
    sign_in(api, "olivia")
    page = api.get("/orders", params=params)
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert problem in page.text


def test_an_order_page_explains_its_routing_and_lists_its_events(
        api: TestClient, two_orders: tuple[Order, Order]) -> None:
    tee, _ = two_orders
    sign_in(api, "olivia")
    page = api.get(f"/orders/{tee['id']}").text
    assert (f"{NYC} won with the cheapest total of the 3 locations that can ship the whole order" in page)
    rows = re.findall(r'<tr class="(chosen|considered|filtered)">\s*<td>([A-Z-]+) ', page)
    assert [verdict for verdict, _ in rows] == ["chosen", "considered", "considered"]
    assert rows[0][1] == NYC
    assert 'data-chart="{' in page  # the candidates' costs, drawn by charts.js
    assert re.search(r"<strong>order\.placed</strong>", page)
    assert "Cancel order" in page
    assert "Re-route</button>" in page


def test_a_pending_fulfillment_is_rerouted_and_the_new_decision_names_the_filtered_store(
        api: TestClient, two_orders: tuple[Order, Order], engine: Engine) -> None:
    tee, _ = two_orders
    sign_in(api, "olivia")
    page = api.get(f"/orders/{tee['id']}")
    work = tee["fulfillments"][0]["id"]
    moved = api.post(f"/orders/{tee['id']}/fulfillments/{work}/reroute",
                     data={"csrf_token": csrf_of(page.text), "reason": "damaged", "note": "box crushed"},
                     follow_redirects=False)
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/orders/{tee['id']}?done=rerouted"
    after = api.get(moved.headers["location"]).text
    assert f"Re-routed because {NYC} let it down (damaged: box crushed)." in after
    assert re.search(rf'<tr class="filtered">\s*<td>{NYC} ', after)
    assert "rejected or short-picked this order before" in after
    assert "<strong>order.rerouted</strong>" in after
    assert_ledger_matches_balances(engine)


def test_rerouting_refuses_started_work_and_an_unknown_reason_changing_nothing(
        api: TestClient, two_orders: tuple[Order, Order], admin: Headers, engine: Engine) -> None:
    tee, _ = two_orders
    work = tee["fulfillments"][0]["id"]
    act(api, admin, f"/v1/fulfillments/{work}/accept")
    sign_in(api, "olivia")
    token = csrf_of(api.get(f"/orders/{tee['id']}").text)
    before = row_counts(engine)
    started = api.post(f"/orders/{tee['id']}/fulfillments/{work}/reroute",
                       data={"csrf_token": token, "reason": "damaged"})
    assert started.status_code == 409
    assert "is accepted: only work nobody has started is re-routed from here" in started.text
    unknown = api.post(f"/orders/{tee['id']}/fulfillments/{work}/reroute", data={"csrf_token": token,
                                                                              "reason": "bored"})
    assert unknown.status_code == 422
    assert "reason: must be one of damaged, not_found, no_capacity, other" in unknown.text
    assert row_counts(engine) == before


def test_cancel_needs_the_pages_token_and_releases_the_stock(
        api: TestClient, two_orders: tuple[Order, Order], admin: Headers, engine: Engine) -> None:
    tee, _ = two_orders
    sign_in(api, "olivia")
    before = row_counts(engine)
    forged = api.post(f"/orders/{tee['id']}/cancel", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert row_counts(engine) == before
    token = csrf_of(api.get(f"/orders/{tee['id']}").text)
    cancelled = api.post(f"/orders/{tee['id']}/cancel", data={"csrf_token": token}, follow_redirects=False)
    assert cancelled.status_code == 303
    assert api.get(f"/v1/orders/{tee['id']}", headers=admin).json()["status"] == "cancelled"
    page = api.get(cancelled.headers["location"]).text
    assert "Done: cancelled." in page
    assert "Cancel order" not in page  # nothing left to cancel
    assert "<strong>order.cancelled</strong>" in page
    assert_ledger_matches_balances(engine)


def test_a_refused_cancel_shows_the_reason_and_the_label_is_a_pdf(
        api: TestClient, two_orders: tuple[Order, Order], admin: Headers, engine: Engine) -> None:
    tee, _ = two_orders
    sign_in(api, "olivia")
    token = csrf_of(api.get(f"/orders/{tee['id']}").text)  # the page was opened before the parcel left
    work = tee["fulfillments"][0]["id"]
    for action, body in (("accept", None), ("pick", {}), ("pack", None)):
        act(api, admin, f"/v1/fulfillments/{work}/{action}", body)
    shipment = act(api, admin, f"/v1/fulfillments/{work}/ship")["shipment"]
    before = row_counts(engine)
    refused = api.post(f"/orders/{tee['id']}/cancel", data={"csrf_token": token})
    assert refused.status_code == 409
    assert f"order {tee['id']} is shipped; it cannot become cancelled" in refused.text
    assert row_counts(engine) == before
    page = api.get(f"/orders/{tee['id']}").text
    assert f'href="/shipments/{shipment["id"]}/label"' in page
    assert "<strong>shipment.created</strong>" in page
    label = api.get(f"/shipments/{shipment['id']}/label")
    assert (label.status_code, label.headers["content-type"]) == (200, "application/pdf")
    assert label.content.startswith(b"%PDF")


def test_a_store_associate_sees_their_stores_orders_only_and_gets_403_pages(
        api: TestClient, two_orders: tuple[Order, Order], app_channel: Headers) -> None:
    tee, mug = two_orders
    chi = created(api.post("/v1/orders", headers=app_channel,
                           json=order_body("A-2", {TEE: 6}, channel="app")))  # more than New York holds
    assert {f["location"] for f in chi["fulfillments"]} == {CHI}
    sign_in(api, "sam")
    listing = api.get("/orders").text
    assert listed(listing) == [mug["id"], tee["id"]]
    assert 'href="/inventory"' not in listing
    assert 'href="/routing/profiles"' not in listing
    assert 'href="/orders"' in listing
    for path in (f"/orders/{chi['id']}", f"/orders?location={CHI}", "/routing/profiles"):
        refused = api.get(path)
        assert refused.status_code == 403, path
        assert refused.headers["content-type"].startswith("text/html")
        assert "Not yours to open" in refused.text
    own = api.get(f"/orders/{tee['id']}").text
    assert "Cancel order" not in own  # a store does not cancel orders
    assert "Re-route</button>" in own  # but may hand its own pending work back, as with its API key
    blocked = api.post(f"/orders/{tee['id']}/cancel", data={"csrf_token": csrf_of(own)})
    assert blocked.status_code == 403
    assert "Not yours to open" in blocked.text


def test_an_unknown_order_is_a_404_page(api: TestClient, people: None) -> None:
    sign_in(api, "olivia")
    missing = api.get("/orders/ord_NOPE")
    assert missing.status_code == 404
    assert "no order ord_NOPE" in missing.text
