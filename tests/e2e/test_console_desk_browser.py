"""The order desk, stock and routing pages in Chromium: an operator finds an order and reads why it went where it
went, looks at a SKU across the network, and is told beside the field what is wrong with a profile edit.

Uses the harness of test_console_browser.py (Debian's Chromium, console errors collected, screenshots to
$OMNIFILL_SCREENSHOTS).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from omnifill.adapters.sql.engine import make_engine
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.services.access import create_api_key
from omnifill.services.users import create_user
from tests.conftest import NOW
from tests.e2e.conftest import CHI, NYC, TEE, build_network, created, order_body
from tests.e2e.test_console_browser import PASSWORD, Tab, browser, database_url, screenshots

__all__ = ["browser", "database_url", "screenshots"]
pytestmark = pytest.mark.xdist_group("browser")  # one Chromium at a time on a 2-core machine


@pytest.fixture
def desk(database_url: str, live_server: str) -> str:
    """The live server with an operator, the e2e network, a default profile that keeps orders within 500 miles
    (so the Chicago warehouse is filtered out) and one web order of a tee to New York."""
    uow = UnitOfWork(make_engine(database_url))
    create_user(uow, "olivia", "operator", PASSWORD, NOW)
    admin = {"Authorization": f"Bearer {create_api_key(uow, 'admin', NOW)[0]}"}
    web = {"Authorization": f"Bearer {create_api_key(uow, 'channel:web', NOW)[0]}"}
    uow.engine.dispose()
    with httpx.Client(base_url=live_server) as client:
        build_network(client, admin)
        profile = client.put("/v1/routing/profiles/default", headers=admin, json={"max_distance_miles": 500})
        assert profile.status_code in (200, 201), profile.text
        created(client.post("/v1/orders", headers=web, json=order_body("W-1", {TEE: 1})))
    return live_server


def test_an_operator_opens_an_order_and_reads_its_routing_explanation(browser: Browser, desk: str,
                                                                        screenshots: Path) -> None:
    tab = Tab(browser, desk)
    tab.sign_in("olivia")
    tab.page.get_by_role("link", name="Orders").click()
    tab.page.get_by_label("Order or channel id").fill("W-1")
    tab.page.get_by_role("button", name="Find").click()
    assert tab.page.locator("table.orders tbody tr").count() == 1
    tab.page.screenshot(path=screenshots / "orders.png", full_page=True)
    tab.page.locator("table.orders tbody a").first.click()
    why = tab.page.locator("#routing .why").first
    assert why.inner_text().startswith(f"{NYC} won with the cheapest total of the 2 locations that can ship")
    assert tab.page.locator("tr.chosen td").first.inner_text().startswith(NYC)
    filtered = tab.page.locator("tr.filtered", has_text=CHI)
    assert filtered.locator("td.reason").inner_text() == "710 mi away, beyond the profile's 500 mi"
    assert filtered.is_visible()
    tab.page.locator("#routing .main-svg").first.wait_for(state="visible")  # the candidates' costs, drawn
    tab.page.screenshot(path=screenshots / "order.png", full_page=True)
    tab.page.get_by_role("link", name=TEE).click()
    tab.page.locator("#stock-chart .main-svg").first.wait_for(state="visible")
    assert tab.page.locator("table.balances tbody tr").count() == 3
    tab.page.screenshot(path=screenshots / "inventory-sku.png", full_page=True)
    assert tab.errors == []


def test_a_bad_profile_value_is_named_beside_its_field_and_a_good_one_is_saved(browser: Browser, desk: str,
                                                                              screenshots: Path) -> None:
    tab = Tab(browser, desk)
    tab.sign_in("olivia")
    tab.page.get_by_role("link", name="Routing").click()
    tab.page.get_by_role("link", name="default").click()
    tab.page.get_by_label("Max packages").fill("11")
    tab.page.get_by_role("button", name="Save profile").click()
    problem = tab.page.locator(".field-error")
    assert problem.inner_text() == "Input should be less than or equal to 10"
    assert tab.page.get_by_label("Max packages").input_value() == "11"  # shown back as typed
    tab.page.screenshot(path=screenshots / "profile-edit.png", full_page=True)
    tab.page.get_by_label("Max packages").fill("2")
    tab.page.get_by_role("button", name="Save profile").click()
    assert tab.page.get_by_role("status").inner_text() == "Saved: orders routed from now on follow it."
    assert tab.page.get_by_label("Max packages").input_value() == "2"
    # Chromium logs every 4xx document; the refused form's 422 is the one expected, and nothing else was logged.
    assert tab.errors == ["Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"]
