"""HTTP end-to-end fixtures: the real app over a real database (in process or as a server subprocess).

`api` drives create_app() in process through Starlette's TestClient; `live_server` starts uvicorn with several
worker processes on the same database and yields its base URL. Keys come from the real `create_api_key`; the
network and catalog are built through the API itself.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from omnifill.adapters.sql.tables import inventory_levels, inventory_movements, metadata
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.config import Settings
from omnifill.entrypoints.api.app import create_app
from omnifill.services.access import create_api_key
from tests.conftest import NOW
from tests.factories import ZIP

Headers = dict[str, str]

TEE, MUG = "TEE-BLK-M", "MUG-WHT"
NYC, PHL, CHI = "ST-NYC", "ST-PHL", "WH-CHI"
# What the `network` fixture receives, per (SKU, location).
OPENING_STOCK = {(TEE, NYC): 5, (TEE, PHL): 3, (TEE, CHI): 20, (MUG, NYC): 2, (MUG, CHI): 10}
# A worker's start: imports, then the ZIP code table loaded and the heap settled (entrypoints/process.py), about
# 5 s of CPU each; three workers beside a busy test worker on 2 cores need far more than that.
SERVER_START_SECONDS = 90.0


# ---------------------------------------------------------------------------------------------- keys


class Keys:
    """API keys made by the real use case, one per role, each as ready-to-send headers."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._made: dict[str, Headers] = {}

    def __call__(self, role: str) -> Headers:
        if role not in self._made:
            key, _ = create_api_key(self._uow, role, NOW, label=f"e2e {role}")
            self._made[role] = {"Authorization": f"Bearer {key}"}
        return self._made[role]


@pytest.fixture
def keys(uow: UnitOfWork) -> Keys:
    return Keys(uow)


@pytest.fixture
def admin(keys: Keys) -> Headers:
    return keys("admin")


@pytest.fixture
def operator(keys: Keys) -> Headers:
    return keys("operator")


@pytest.fixture
def nyc_store(keys: Keys) -> Headers:
    return keys(f"store:{NYC}")


@pytest.fixture
def web_channel(keys: Keys) -> Headers:
    return keys("channel:web")


@pytest.fixture
def app_channel(keys: Keys) -> Headers:
    return keys("channel:app")


# ------------------------------------------------------------------------------------ in-process API


@pytest.fixture
def api(database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url))
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


@dataclass(frozen=True)
class Network:
    """Three locations at real ZIP codes and two SKUs, with OPENING_STOCK received."""

    locations: tuple[str, ...] = (NYC, PHL, CHI)
    skus: tuple[str, ...] = (TEE, MUG)
    stock: dict[tuple[str, str], int] = field(default_factory=lambda: dict(OPENING_STOCK))


def sku_body(code: str, **changes: Any) -> dict[str, Any]:
    return {"code": code, "name": f"Item {code}", "unit_cost": "4.00", "unit_price": "12.00", "weight_kg": "0.250",
            **changes}


def location_body(code: str, zip_code: str, kind: str = "store", **changes: Any) -> dict[str, Any]:
    return {"code": code, "name": f"Location {code}", "kind": kind, "postal_code": zip_code,
            "capabilities": ["ship", "pickup", "returns"], **changes}


def movement_body(sku: str, location: str, kind: str, quantity: int, **changes: Any) -> dict[str, Any]:
    return {"sku": sku, "location": location, "kind": kind, "quantity": quantity, "reason": f"e2e {kind}", **changes}


def order_body(
    external_id: str, lines: dict[str, int], *, channel: str = "web", zip_code: str = ZIP["NYC"],
    pickup: str | None = None,
) -> dict[str, Any]:
    """A ship order to `zip_code`, or a pickup at `pickup`, at 12.00 a unit."""
    body: dict[str, Any] = {
        "channel": channel, "external_id": external_id, "customer": {"email": "pat@example.com", "name": "Pat Lee"},
        "lines": [{"sku": sku, "quantity": units, "unit_price": "12.00"} for sku, units in lines.items()],
    }
    if pickup is None:
        body["ship_to"] = {"postal_code": zip_code, "country": "US", "address_lines": ["350 5th Ave"]}
        body["delivery"] = {"method": "ship", "service_level": "standard"}
    else:
        body["delivery"] = {"method": "pickup", "location": pickup}
    return body


def created(response: httpx.Response) -> dict[str, Any]:
    """The body of a 201, or a failure that shows what the server said instead."""
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def build_network(client: httpx.Client, admin: Headers) -> Network:
    network = Network()
    created(client.post("/v1/locations", headers=admin, json=location_body(NYC, ZIP["NYC"])))
    created(client.post("/v1/locations", headers=admin, json=location_body(PHL, ZIP["PHL"])))
    created(client.post("/v1/locations", headers=admin,
                        json=location_body(CHI, ZIP["CHI"], kind="warehouse", capabilities=["ship"])))
    for code in network.skus:
        created(client.post("/v1/skus", headers=admin, json=sku_body(code)))
    for (sku, location), units in network.stock.items():
        receipt = movement_body(sku, location, "receipt", units)
        created(client.post("/v1/inventory/movements", headers=admin, json=receipt))
    return network


@pytest.fixture
def network(api: TestClient, admin: Headers) -> Network:
    return build_network(api, admin)


# -------------------------------------------------------------------------------------- assertions


def act(client: httpx.Client, headers: Headers, path: str, body: Any = None) -> dict[str, Any]:
    """POST an action that must succeed (200); its answer."""
    response = client.post(path, headers=headers, json=body)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert the one error shape with this status and code; return its details."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str), body
    assert body["error"]["message"], body
    details: dict[str, Any] = body["error"]["details"]
    assert isinstance(details, dict), body
    return details


def balance(client: httpx.Client, headers: Headers, sku: str, location: str) -> dict[str, int]:
    """(on_hand, reserved, safety_stock, available) of one pair, as the API reports it."""
    response = client.get("/v1/inventory", headers=headers, params={"sku": sku, "location": location})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert len(items) == 1, items
    return {k: items[0][k] for k in ("on_hand", "reserved", "safety_stock", "available")}


def all_balances(client: httpx.Client, headers: Headers) -> dict[tuple[str, str], dict[str, int]]:
    response = client.get("/v1/inventory", headers=headers, params={"limit": 500})
    assert response.status_code == 200, response.text
    return {(b["sku"], b["location"]): {k: b[k] for k in ("on_hand", "reserved", "safety_stock", "available")}
            for b in response.json()["items"]}


def list_all(client: httpx.Client, headers: Headers, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paginated list, walking next_cursor to the end."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(1000):
        response = client.get(path, headers=headers, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError(f"{path} never stopped paginating")


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table: equal before and after a refused request means nothing was written."""
    with engine.connect() as connection:
        return {t.name: int(connection.execute(select(func.count()).select_from(t)).scalar_one())
                for t in metadata.sorted_tables}


def movement_totals(engine: Engine) -> dict[str, tuple[int, int]]:
    """Ledger rows per movement kind: kind → (number of rows, Σ quantity)."""
    m = inventory_movements
    with engine.connect() as connection:
        rows = connection.execute(select(m.c.kind, func.count(), func.sum(m.c.quantity)).group_by(m.c.kind))
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}


Pairs = dict[tuple[int, int], tuple[int, int]]


def ledger_and_balances(engine: Engine) -> tuple[Pairs, Pairs]:
    """(Σ of the ledger, stored balance) per (sku id, location id) as (on_hand, reserved); they must be equal."""
    with UnitOfWork(engine).reading() as reader:
        sums = reader.inventory.ledger_sums()
    il = inventory_levels
    with engine.connect() as connection:
        levels = {(int(r[0]), int(r[1])): (int(r[2]), int(r[3])) for r in connection.execute(
            select(il.c.sku_id, il.c.location_id, il.c.on_hand, il.c.reserved))}
    # A pair whose only change was its safety stock has a zero balance and no ledger rows.
    return sums, {pair: level for pair, level in levels.items() if level != (0, 0) or pair in sums}


# ------------------------------------------------------------------------------------ live server


@pytest.fixture
def workers(database_url: str) -> int:
    """Worker processes for a live server: several processes on one SQLite file; two on PostgreSQL."""
    return 3 if database_url.startswith("sqlite") else 2


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_serving(process: subprocess.Popen[bytes], base_url: str, log: Path, workers: int) -> None:
    """Until /health answers and every worker has finished starting; bounded by SERVER_START_SECONDS."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    healthy = False
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        if not healthy:
            with suppress(httpx.TransportError):
                healthy = httpx.get(f"{base_url}/health", timeout=1.0).status_code == 200
        if healthy and log.read_text(errors="replace").count("Application startup complete") >= workers:
            return
        time.sleep(0.1)
    raise AssertionError(f"no server within {SERVER_START_SECONDS} s:\n{log.read_text(errors='replace')}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server's whole process group (the supervisor and its workers); kill what lingers."""
    group = process.pid
    for sig, patience in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            process.poll()
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
    process.wait(timeout=5)


@pytest.fixture
def live_server(database_url: str, workers: int, tmp_path: Path) -> Iterator[str]:
    """`omnifill serve` with `workers` processes on this test's database; yields its base URL."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    env = {**os.environ, "OMNIFILL_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "omnifill.entrypoints.cli", "serve",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_serving(process, base_url, log, workers)
        yield base_url
    finally:
        _stop(process)
        print(f"--- server log ({log}) ---\n{log.read_text(errors='replace')}")  # shown when a test fails
