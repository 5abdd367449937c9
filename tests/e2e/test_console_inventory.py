"""The console's stock pages over HTTP: a SKU at every location with its ledger, and what runs low."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import CHI, MUG, NYC, PHL, TEE, Headers, Network, created, order_body
from tests.e2e.test_console_http import sign_in
from tests.e2e.test_console_orders import people

__all__ = ["people"]


def balance_rows(page: str) -> list[tuple[str, ...]]:
    """(location, on hand, reserved, available, safety stock) per row of the balances table."""
    table = page.split('<table class="balances">')[1].split("</table>")[0]
    return [tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row))
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]]


@pytest.mark.usefixtures("people")
def test_a_skus_page_shows_every_location_a_chart_and_its_ledger_newest_first(
        api: TestClient, network: Network, web_channel: Headers) -> None:
    order = created(api.post("/v1/orders", headers=web_channel, json=order_body("W-1", {TEE: 2})))
    sign_in(api, "olivia")
    assert api.get("/inventory", params={"sku": TEE}, follow_redirects=False).headers["location"] == f"/inventory/{TEE}"
    page = api.get(f"/inventory/{TEE}").text
    assert balance_rows(page) == [(NYC, "5", "2", "3", "0"), (PHL, "3", "0", "3", "0"), (CHI, "20", "0", "20", "0")]
    assert 'id="stock-chart"' in page
    kinds = re.findall(r"<td>(receipt|reservation)</td>", page)
    assert kinds == ["reservation", "receipt", "receipt", "receipt"]  # newest first
    assert f'<a href="/orders/{order["id"]}">' in page


@pytest.mark.usefixtures("people", "network")
def test_the_ledger_pages_and_an_unknown_sku_is_a_404_page(api: TestClient) -> None:
    sign_in(api, "olivia")
    first = api.get(f"/inventory/{TEE}", params={"limit": 2}).text
    assert len(re.findall(r"<td>receipt</td>", first)) == 2
    link = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert link
    rest = api.get(link.group(1).replace("&amp;", "&")).text
    assert len(re.findall(r"<td>receipt</td>", rest)) == 1
    assert 'rel="next"' not in rest
    missing = api.get("/inventory/NOPE-1")
    assert (missing.status_code, "no SKU NOPE-1" in missing.text) == (404, True)


@pytest.mark.usefixtures("people", "network")
def test_low_stock_lists_pairs_at_or_under_safety_stock_or_a_threshold(api: TestClient, admin: Headers) -> None:
    response = api.put("/v1/inventory/safety-stock", headers=admin, json={"sku": MUG, "location": NYC,
                                                                           "safety_stock": 1})
    assert response.status_code == 200, response.text  # 2 on hand, 1 kept back: 1 available ≤ 1
    sign_in(api, "olivia")
    assert balance_rows(api.get("/inventory/low-stock").text) == [(MUG, NYC, "2", "0", "1", "1")]
    assert [row[:2] for row in balance_rows(api.get("/inventory/low-stock", params={"below": 3}).text)] == [
        (MUG, NYC), (TEE, PHL)]
    refused = api.get("/inventory/low-stock", params={"below": "-1"})
    assert refused.status_code == 422
    assert "below: must be a whole number, 0 or more" in refused.text


@pytest.mark.usefixtures("people", "network")
def test_a_store_associate_sees_their_own_stores_stock_only(api: TestClient) -> None:
    sign_in(api, "sam")
    assert [row[0] for row in balance_rows(api.get(f"/inventory/{TEE}").text)] == [NYC]
    assert [row[1] for row in balance_rows(api.get("/inventory/low-stock", params={"below": 100}).text)] == [
        NYC, NYC]
