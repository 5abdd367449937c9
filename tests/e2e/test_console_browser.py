"""The console in a real browser: Playwright driving Debian's Chromium (headless) against `omnifill serve`.

Chromium is installed with apt when missing (as .ci/run does). Screenshots go to $OMNIFILL_SCREENSHOTS when set
(`make screenshots` writes docs/screenshots/), else to the test's temporary folder.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from sqlalchemy import select

from omnifill.adapters.sql.engine import make_engine
from omnifill.adapters.sql.migrate import upgrade_database
from omnifill.adapters.sql.tables import fulfillment_orders
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.services.access import create_api_key
from omnifill.services.users import create_user
from tests.conftest import NOW
from tests.e2e.conftest import NYC, PHL, TEE, build_network, created, movement_body, order_body, sku_body
from tests.e2e.test_console_store import SCARF, SCARF_GTIN

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "a long enough passphrase"
pytestmark = pytest.mark.xdist_group("browser")  # one Chromium at a time on a 2-core machine


# Module, not session: Playwright's sync API keeps an event loop running in this thread while it is open, and
# asyncio.run() in a later test of the same worker (the NATS relay's) would refuse to start.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=True, capture_output=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: the pages run on the same services the API tests cover on both databases."""
    url = f"sqlite:///{tmp_path / 'console.db'}"
    engine = make_engine(url)
    upgrade_database(engine)
    engine.dispose()
    return url


@pytest.fixture
def site(database_url: str, live_server: str) -> str:
    """The live server with two people, the e2e network, one web order waiting at the New York store and one
    pickup order there of two scarves with a barcode."""
    uow = UnitOfWork(make_engine(database_url))
    create_user(uow, "olivia", "operator", PASSWORD, NOW)
    create_user(uow, "sam", f"store:{NYC}", PASSWORD, NOW)
    admin = {"Authorization": f"Bearer {create_api_key(uow, 'admin', NOW)[0]}"}
    web = {"Authorization": f"Bearer {create_api_key(uow, 'channel:web', NOW)[0]}"}
    uow.engine.dispose()
    with httpx.Client(base_url=live_server) as client:
        build_network(client, admin)
        created(client.post("/v1/orders", headers=web, json=order_body("W-1", {TEE: 1})))
        created(client.post("/v1/skus", headers=admin, json=sku_body(SCARF, gtin=SCARF_GTIN)))
        created(client.post("/v1/inventory/movements", headers=admin, json=movement_body(SCARF, NYC, "receipt", 3)))
        created(client.post("/v1/orders", headers=web, json=order_body("P-1", {SCARF: 2}, pickup=NYC)))
    return live_server


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("OMNIFILL_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Tab:
    """A page that remembers every console error and uncaught exception it saw."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.page: Page = browser.new_page(base_url=base_url, viewport={"width": 1280, "height": 860})
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def sign_in(self, username: str) -> None:
        self.page.goto("/login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state("networkidle")


def test_an_operator_signs_in_and_sees_the_overview_with_its_chart(browser: Browser, site: str,
                                                                     screenshots: Path) -> None:
    tab = Tab(browser, site)
    tab.page.goto("/")
    assert tab.page.url.endswith("/login?next=/")
    tab.page.screenshot(path=screenshots / "sign-in.png")
    tab.sign_in("olivia")
    assert tab.page.get_by_role("heading", name="Overview").is_visible()
    for chart in ("trend", "orders-by-channel", "orders-by-method"):
        tab.page.locator(f"#{chart} .main-svg").first.wait_for(state="visible")
    assert tab.page.locator("#orders-by-channel .bars path").count() == 1  # one bar: the web channel
    assert tab.page.get_by_text("Perfect orders").is_visible()
    tab.page.screenshot(path=screenshots / "overview.png", full_page=True)
    assert tab.errors == []


def test_a_store_associate_sees_their_tasks_and_cannot_open_another_store(browser: Browser, site: str,
                                                                           screenshots: Path) -> None:
    tab = Tab(browser, site)
    tab.page.set_viewport_size({"width": 390, "height": 844})  # a phone
    tab.sign_in("sam")
    assert tab.page.url.endswith(f"/stores/{NYC}")
    assert tab.page.locator("table.tasks tbody tr").count() == 2
    assert tab.page.locator("table.tasks .action").first.inner_text().lower() == "accept"
    tab.page.screenshot(path=screenshots / "store-tasks.png", full_page=True)
    assert tab.errors == []
    response = tab.page.goto(f"/stores/{PHL}")
    assert response is not None
    assert response.status == 403
    assert tab.page.get_by_role("heading", name="Not your store").is_visible()


def test_a_wrong_password_is_told_without_saying_which_part_was_wrong(browser: Browser, site: str) -> None:
    tab = Tab(browser, site)
    tab.page.goto("/login")
    tab.page.get_by_label("Username").fill("olivia")
    tab.page.get_by_label("Password").fill("not the passphrase")
    tab.page.get_by_role("button", name="Sign in").click()
    assert tab.page.get_by_role("alert").inner_text() == "Wrong username or password."
    assert tab.page.url.endswith("/login")


def test_an_associate_picks_by_scanning_is_refused_a_wrong_item_and_hands_over_by_the_code(
        browser: Browser, site: str, database_url: str, screenshots: Path) -> None:
    tab = Tab(browser, site)
    tab.page.set_viewport_size({"width": 390, "height": 844})
    tab.sign_in("sam")
    tab.page.locator("table.tasks tr", has_text="ACCEPT").last.get_by_role("link").click()
    tab.page.get_by_role("button", name="Accept").click()
    scan = tab.page.get_by_label("Scan each item")
    scan.press_sequentially("5901234123457")  # a keyboard-wedge scanner types, then presses Enter
    scan.press("Enter")
    alert = tab.page.locator("#scan-alert")
    assert alert.inner_text() == "Wrong item: 5901234123457 is not on this pick list."
    assert "refused" in (alert.get_attribute("class") or "")
    tab.page.screenshot(path=screenshots / "scan-refused.png", full_page=True)
    for _ in range(2):
        scan.press_sequentially(SCARF_GTIN)
        scan.press("Enter")
    assert tab.page.locator(f"tr[data-sku='{SCARF}'] .scanned").inner_text() == "2"
    tab.page.get_by_role("button", name="Confirm pick").click()
    tab.page.get_by_role("button", name="Ready for pickup: tell the customer").click()
    code = _pickup_code(database_url)
    field = tab.page.get_by_label("Scan the customer's pickup code")
    field.press_sequentially(code)
    field.press("Enter")
    assert tab.page.get_by_role("status").inner_text() == "Done: handoff."
    assert tab.page.locator(".state").inner_text().lower() == "picked up"
    tab.page.screenshot(path=screenshots / "handoff-done.png", full_page=True)
    assert tab.errors == []


def _pickup_code(database_url: str) -> str:
    """The code the customer was sent (the store's screens never show it)."""
    engine = make_engine(database_url)
    with engine.connect() as connection:
        code = connection.execute(select(fulfillment_orders.c.pickup_code)
                                  .where(fulfillment_orders.c.pickup_code.is_not(None))).scalar_one()
    engine.dispose()
    return str(code)
