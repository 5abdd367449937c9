"""A store associate's screens over HTTP: the next move, scan-to-pick (a wrong item refused), pickup handoff by
code. The browser test drives the same screens with the page's script."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.services.users import create_user
from tests.conftest import NOW
from tests.e2e.conftest import NYC, PHL, TEE, Headers, Network, created, movement_body, order_body, sku_body
from tests.e2e.test_console_http import PASSWORD, csrf_of, sign_in

SCARF, SCARF_GTIN = "SCARF-RED", "4006381333931"


@pytest.fixture
def pickup_order(api: TestClient, admin: Headers, web_channel: Headers, network: Network,
                 uow: UnitOfWork) -> dict[str, Any]:
    """Two scarves (with a barcode) and a tee to collect at the New York store; its associate signed in."""
    created(api.post("/v1/skus", headers=admin, json=sku_body(SCARF, gtin=SCARF_GTIN)))
    created(api.post("/v1/inventory/movements", headers=admin, json=movement_body(SCARF, NYC, "receipt", 4)))
    order = created(api.post("/v1/orders", headers=web_channel,
                             json=order_body("P-1", {SCARF: 2, TEE: 1}, pickup=NYC)))
    create_user(uow, "sam", f"store:{NYC}", PASSWORD, NOW)
    create_user(uow, "pia", f"store:{PHL}", PASSWORD, NOW)
    return order


def screen(order: dict[str, Any]) -> str:
    return f"/stores/{NYC}/work/{order['fulfillments'][0]['id']}"


def post(api: TestClient, work: str, step: str, **form: str) -> Any:
    """Send the screen's form for `step` (move, pick, handoff) with the CSRF token the screen carries."""
    page = api.get(work)
    return api.post(f"{work}/{step}", data={"csrf_token": csrf_of(page.text), **form}, follow_redirects=False)


def status_of(api: TestClient, admin: Headers, order: dict[str, Any]) -> str:
    fulfillment_id = order["fulfillments"][0]["id"]
    return str(api.get(f"/v1/fulfillments/{fulfillment_id}", headers=admin).json()["status"])


def test_a_pickup_is_accepted_scanned_made_ready_and_handed_over_by_its_code(
        api: TestClient, admin: Headers, pickup_order: dict[str, Any]) -> None:
    sign_in(api, "sam")
    work = screen(pickup_order)
    tasks = api.get(f"/stores/{NYC}").text
    assert f'href="{work}"' in tasks
    assert post(api, work, "move", action="accept").status_code == 303
    assert 'class="card scan-pick"' in api.get(work).text
    scans = f"{SCARF_GTIN}\n{TEE}\n"  # the scarf by its barcode, the tee (no barcode) typed by its code
    assert post(api, work, "pick", scans=scans, scan=SCARF_GTIN).status_code == 303
    assert status_of(api, admin, pickup_order) == "picked"
    assert post(api, work, "move", action="ready").status_code == 303
    wrong = post(api, work, "handoff", pickup_code="000000")
    assert wrong.status_code in (409, 422)
    assert 'role="alert"' in wrong.text
    code = api.get(f"/v1/fulfillments/{pickup_order['fulfillments'][0]['id']}", headers=admin).json()["pickup_code"]
    assert post(api, work, "handoff", pickup_code=code).status_code == 303
    assert status_of(api, admin, pickup_order) == "picked_up"


@pytest.mark.parametrize(("scans", "problem"), [
    ("5901234123457\n", "5901234123457 is not on this pick list"),
    (f"{SCARF_GTIN}\n{SCARF_GTIN}\n{SCARF_GTIN}\n", f"{SCARF}: 3 scanned, only 2 on the list"),
    ("", "nothing scanned yet"),
])
def test_a_wrong_scan_is_refused_and_changes_nothing(api: TestClient, admin: Headers, pickup_order: dict[str, Any],
                                                     scans: str, problem: str) -> None:
    sign_in(api, "sam")
    work = screen(pickup_order)
    post(api, work, "move", action="accept")
    refused = post(api, work, "pick", scans=scans)
    assert refused.status_code == 422
    assert problem in refused.text
    assert status_of(api, admin, pickup_order) == "accepted"


def test_fewer_scans_than_asked_is_a_short_pick_and_the_rest_is_routed_again(
        api: TestClient, admin: Headers, pickup_order: dict[str, Any]) -> None:
    sign_in(api, "sam")
    work = screen(pickup_order)
    post(api, work, "move", action="accept")
    assert post(api, work, "pick", scans=f"{SCARF_GTIN}\n{TEE}\n").status_code == 303
    order = api.get(f"/v1/orders/{pickup_order['id']}", headers=admin).json()
    lines = {line["sku"]: line["quantity"] for line in order["fulfillments"][0]["lines"]}
    assert lines == {SCARF: 1, TEE: 1}  # one scarf picked; the other went to the backorder queue (a pickup stays)


def test_a_move_needs_the_pages_csrf_token(api: TestClient, admin: Headers, pickup_order: dict[str, Any]) -> None:
    sign_in(api, "sam")
    forged = api.post(f"{screen(pickup_order)}/move", data={"action": "accept", "csrf_token": "x"})
    assert forged.status_code == 403
    assert status_of(api, admin, pickup_order) == "pending"


def test_another_stores_associate_can_neither_see_nor_move_the_work(
        api: TestClient, admin: Headers, pickup_order: dict[str, Any]) -> None:
    sign_in(api, "pia")
    work = screen(pickup_order)
    assert api.get(work).status_code == 403
    page = api.get(f"/stores/{PHL}")
    moved = api.post(f"{work}/move", data={"action": "accept", "csrf_token": csrf_of(page.text)})
    assert moved.status_code == 403
    assert status_of(api, admin, pickup_order) == "pending"
