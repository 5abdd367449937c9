"""The network page and the return desk in a real browser (the harness of test_console_browser.py): the map drawn
without the internet, an admin switching a store off, an associate taking a scanned return at the counter; no
console errors on any of these pages. Screenshots: network.png, return-intake.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from omnifill.adapters.sql.engine import make_engine
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.services.access import create_api_key
from omnifill.services.users import create_user
from tests.conftest import NOW
from tests.e2e import test_console_browser as harness
from tests.e2e.conftest import PHL, TEE
from tests.e2e.test_console_returns import collected_order
from tests.e2e.test_console_store import SCARF, SCARF_GTIN

pytestmark = pytest.mark.xdist_group("browser")  # one Chromium at a time on a 2-core machine
# The harness's fixtures: one Chromium per module, a SQLite database, the live server with its people and orders.
browser, database_url, site, screenshots = harness.browser, harness.database_url, harness.site, harness.screenshots


@pytest.fixture
def desk_site(site: str, database_url: str) -> dict[str, Any]:
    """The harness's site, an admin, and a tee and a scarf the customer collected at New York (order R-1)."""
    uow = UnitOfWork(make_engine(database_url))
    create_user(uow, "ada", "admin", harness.PASSWORD, NOW)
    admin = {"Authorization": f"Bearer {create_api_key(uow, 'admin', NOW)[0]}"}
    web = {"Authorization": f"Bearer {create_api_key(uow, 'channel:web', NOW)[0]}"}
    uow.engine.dispose()
    with httpx.Client(base_url=site) as client:
        order = collected_order(client, admin, web, {TEE: 1, SCARF: 1})
    return {"url": site, "admin": admin, "order": order}


def test_an_admin_switches_a_store_off_on_the_network_map(browser: Browser, desk_site: dict[str, Any],
                                                          screenshots: Path) -> None:
    tab = harness.Tab(browser, desk_site["url"])
    tab.sign_in("ada")
    tab.page.get_by_role("link", name="Network").click()
    tab.page.locator("#network-map .main-svg").first.wait_for(state="visible")
    located = tab.page.locator("#network-map .scatterlayer .trace:not(:first-child) path.point")
    assert located.count() == 3  # New York, Philadelphia, Chicago; the country's outline is the first trace
    tab.page.get_by_role("button", name=f"Switch off {PHL}").click()
    assert tab.page.get_by_role("status").inner_text() == f"Fulfillment switched: {PHL} off."
    row = tab.page.locator(f"tr[data-location='{PHL}']")
    assert row.locator(".enabled").inner_text() == "off"
    assert "switched-off" in (row.get_attribute("class") or "")
    tab.page.locator("#network-map .main-svg").first.wait_for(state="visible")
    symbols = tab.page.evaluate("""() => Object.fromEntries(document.getElementById("network-map").data.slice(1)
        .flatMap((t) => t.customdata.map((code, i) => [code, t.marker.symbol[i]])))""")
    assert symbols[PHL] == "circle-open"
    with httpx.Client(base_url=desk_site["url"]) as client:
        assert client.get(f"/v1/locations/{PHL}", headers=desk_site["admin"]).json()["fulfillment_enabled"] is False
    tab.page.screenshot(path=screenshots / "network.png", full_page=True)
    assert tab.errors == []


def test_an_associate_takes_a_scanned_return_at_the_counter(browser: Browser, desk_site: dict[str, Any],
                                                            screenshots: Path) -> None:
    tab = harness.Tab(browser, desk_site["url"])
    tab.page.set_viewport_size({"width": 390, "height": 844})  # a phone
    tab.sign_in("sam")
    tab.page.get_by_role("link", name="Take a return").click()
    tab.page.get_by_label("Order id, order number or customer e-mail").fill("R-1")
    tab.page.get_by_role("button", name="Find the order").click()
    scan = tab.page.get_by_label("Scan each item brought back")
    scan.press_sequentially("5901234123457")  # not on the order: refused, nothing counted
    scan.press("Enter")
    assert tab.page.locator("#scan-alert").inner_text() == "Wrong item: 5901234123457 is not on this order."
    scan.press_sequentially(SCARF_GTIN)
    scan.press("Enter")
    assert tab.page.get_by_label(f"Units of {SCARF} back").input_value() == "1"
    tab.page.get_by_label(f"Units of {TEE} back").fill("1")
    tab.page.get_by_label(f"Condition of {TEE}").select_option("damaged")
    tab.page.get_by_label("Reason").select_option("size_fit")
    tab.page.screenshot(path=screenshots / "return-intake.png", full_page=True)
    tab.page.get_by_role("button", name="Take back").click()
    assert tab.page.get_by_role("status").inner_text().startswith("Return rma_")
    assert "available here now" in tab.page.locator(f"tr[data-sku='{SCARF}'] .went").inner_text()
    assert tab.page.locator(f"tr[data-sku='{TEE}'] .went").inner_text() == "quarantine (not for sale)"
    tab.page.screenshot(path=screenshots / "return-done.png", full_page=True)
    assert tab.errors == []
