"""A store's return desk over HTTP: find the order, take units back (authorized and received at once), scanned or
counted; refusals re-render with the reason; another store's associate is refused; a damaged unit never becomes
available. The browser test drives the same screen with its script."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.services.users import create_user
from tests.conftest import NOW
from tests.e2e.conftest import (
    MUG,
    NYC,
    PHL,
    TEE,
    Headers,
    Network,
    act,
    balance,
    created,
    ledger_and_balances,
    movement_body,
    order_body,
    sku_body,
)
from tests.e2e.test_console_http import PASSWORD, csrf_of, sign_in
from tests.e2e.test_console_store import SCARF, SCARF_GTIN

DESK = f"/stores/{NYC}/returns"


def collected_order(api: Any, admin: Headers, channel: Headers, lines: dict[str, int]) -> dict[str, Any]:
    """A pickup order at the New York store, picked and handed over: its units reached the customer."""
    order = created(api.post("/v1/orders", headers=channel, json=order_body("R-1", lines, pickup=NYC)))
    work = f"/v1/fulfillments/{order['fulfillments'][0]['id']}"
    for action, body in (("accept", None), ("pick", {}), ("ready", None)):
        act(api, admin, f"{work}/{action}", body)
    code = api.get(work, headers=admin).json()["pickup_code"]
    act(api, admin, f"{work}/handoff", {"pickup_code": code})
    return order


@pytest.fixture
def collected(api: TestClient, admin: Headers, web_channel: Headers, network: Network,
              uow: UnitOfWork) -> dict[str, Any]:
    """Two tees, a mug and a scarf (with a barcode) collected at New York; its and Philadelphia's associates."""
    created(api.post("/v1/skus", headers=admin, json=sku_body(SCARF, gtin=SCARF_GTIN)))
    created(api.post("/v1/inventory/movements", headers=admin, json=movement_body(SCARF, NYC, "receipt", 2)))
    create_user(uow, "sam", f"store:{NYC}", PASSWORD, NOW)
    create_user(uow, "pia", f"store:{PHL}", PASSWORD, NOW)
    return collected_order(api, admin, web_channel, {TEE: 2, MUG: 1, SCARF: 1})


def take_back(api: TestClient, order_id: str, units: dict[str, tuple[int, str]], reason: str = "size_fit",
              scan: str = "") -> Any:
    """Send the desk's form for the order: per SKU on the form, (units, condition); others 0 and sellable."""
    page = api.get(DESK, params={"order": order_id}).text
    skus = re.findall(r'name="sku" value="([^"]+)"', page)
    data: dict[str, Any] = {
        "csrf_token": csrf_of(page), "order_id": order_id, "reason": reason, "scan": scan, "sku": skus,
        "quantity": [str(units.get(s, (0, ""))[0]) for s in skus],
        "condition": [units.get(s, (0, "sellable"))[1] for s in skus],
    }
    return api.post(DESK, data=data, follow_redirects=False)


def assert_ledger_matches_balances(uow: UnitOfWork) -> None:
    sums, balances = ledger_and_balances(uow.engine)
    assert sums == balances


def test_an_associate_finds_the_order_by_number_or_email_and_sees_what_may_come_back(
        api: TestClient, collected: dict[str, Any]) -> None:
    sign_in(api, "sam")
    assert f'href="{DESK}"' in api.get(f"/stores/{NYC}").text
    for search in ("R-1", "PAT@example.com", collected["id"]):
        page = api.get(DESK, params={"q": search}).text
        assert f'name="order_id" value="{collected["id"]}"' in page
    lines = re.findall(r'data-sku="([^"]+)" data-gtin="([^"]*)" data-quantity="(\d+)"', api.get(
        DESK, params={"q": "R-1"}).text)
    assert lines == [(MUG, "", "1"), (SCARF, SCARF_GTIN, "1"), (TEE, "", "2")]
    assert "No order found." in api.get(DESK, params={"q": "nobody@example.com"}).text


def test_a_sellable_unit_is_available_again_and_a_damaged_one_never_is(
        api: TestClient, admin: Headers, collected: dict[str, Any], uow: UnitOfWork) -> None:
    sign_in(api, "sam")
    tee, mug = balance(api, admin, TEE, NYC)["available"], balance(api, admin, MUG, NYC)["available"]
    done = take_back(api, collected["id"], {TEE: (1, "sellable"), MUG: (1, "damaged")})
    assert done.status_code == 303
    result = api.get(done.headers["location"])
    assert result.status_code == 200
    assert f"back on the shelf: {tee + 1} available here now" in result.text
    assert "quarantine (not for sale)" in result.text
    assert balance(api, admin, TEE, NYC)["available"] == tee + 1
    assert balance(api, admin, MUG, NYC)["available"] == mug  # the damaged mug is recorded, never promised
    rma = api.get(f"/v1/returns/{done.headers['location'].rsplit('/', 1)[1]}", headers=admin).json()
    assert (rma["status"], rma["method"], rma["location"]) == ("received", "in_store", NYC)
    assert_ledger_matches_balances(uow)


def test_a_scanned_barcode_counts_one_unit_of_its_line(api: TestClient, admin: Headers,
                                                       collected: dict[str, Any]) -> None:
    sign_in(api, "sam")
    before = balance(api, admin, SCARF, NYC)["on_hand"]
    assert take_back(api, collected["id"], {}, scan=SCARF_GTIN).status_code == 303
    assert balance(api, admin, SCARF, NYC)["on_hand"] == before + 1
    refused = take_back(api, collected["id"], {}, scan="5901234123457")
    assert refused.status_code == 422
    assert "5901234123457 is not on this order" in refused.text


@pytest.mark.parametrize(("units", "reason", "problem"), [
    ({TEE: (3, "sellable")}, "size_fit", f"only 2 of 2 {TEE} delivered may still be returned; 3 asked"),
    ({TEE: (1, "sellable")}, "changed_my_mind", "must be one of"),
    ({}, "size_fit", "nothing to take back"),
])
def test_a_refused_return_is_shown_with_its_reason_and_changes_nothing(
        api: TestClient, admin: Headers, collected: dict[str, Any], units: dict[str, tuple[int, str]], reason: str,
        problem: str) -> None:
    sign_in(api, "sam")
    refused = take_back(api, collected["id"], units, reason)
    assert refused.status_code == 422
    assert problem in refused.text
    assert 'role="alert"' in refused.text
    assert api.get("/v1/returns", headers=admin, params={"order": collected["id"]}).json()["items"] == []


def test_a_final_sale_is_refused(api: TestClient, admin: Headers, collected: dict[str, Any]) -> None:
    state = api.app.state  # type: ignore[attr-defined]
    state.return_policy = dataclasses.replace(state.return_policy, final_sale_skus=frozenset({TEE}))
    sign_in(api, "sam")
    refused = take_back(api, collected["id"], {TEE: (1, "sellable")})
    assert refused.status_code == 422
    assert f"{TEE} was a final sale and cannot be returned" in refused.text


def test_another_stores_associate_gets_the_403_page_and_changes_nothing(
        api: TestClient, admin: Headers, collected: dict[str, Any]) -> None:
    sign_in(api, "pia")
    assert api.get(DESK, params={"q": "R-1"}).status_code == 403
    token = csrf_of(api.get(f"/stores/{PHL}").text)
    refused = api.post(DESK, data={"csrf_token": token, "order_id": collected["id"], "reason": "size_fit",
                                   "sku": [TEE], "quantity": ["1"], "condition": ["sellable"]})
    assert refused.status_code == 403
    assert "Not your store" in refused.text
    assert api.get("/v1/returns", headers=admin, params={"order": collected["id"]}).json()["items"] == []


def test_the_form_needs_the_pages_csrf_token(api: TestClient, admin: Headers, collected: dict[str, Any]) -> None:
    sign_in(api, "sam")
    forged = api.post(DESK, data={"csrf_token": "forged", "order_id": collected["id"], "reason": "size_fit",
                                  "sku": [TEE], "quantity": ["1"], "condition": ["sellable"]})
    assert forged.status_code == 403
    assert api.get("/v1/returns", headers=admin, params={"order": collected["id"]}).json()["items"] == []
