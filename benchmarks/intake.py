"""Order intake throughput: the raw driver floor, the service layer and HTTP, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/intake.py --backend both          # the table in docs/PERFORMANCE.md
    .venv/bin/python benchmarks/intake.py --backend sqlite --quick  # a smoke run in well under a minute
    .venv/bin/python benchmarks/intake.py --backend postgres --profile service  # where the time goes

Every cell starts from the same database: the demo network (31 locations, 200 SKUs) seeded once per backend
through the real use cases, plus a large receipt of every SKU at the three warehouses so no order is refused
for want of stock; each cell runs on a fresh copy of it (a file copy on SQLite, CREATE DATABASE ... TEMPLATE
on PostgreSQL). Orders ship to real US city ZIP codes, with 1 or 3 lines of SKUs drawn by Zipf-like
popularity, and distinct external ids.

Paths:
  floor    the statements the service issues per order, hand-written and sent straight through the DB-API
           driver (sqlite3 / psycopg) in the same transaction boundaries, the allocation replaced by
           "nearest location that covers the order, else nearest-first per SKU";
  service  omnifill.services.orders.place_order from T threads sharing one engine;
  http     POST /v1/orders to a real uvicorn server (2 workers) from T keep-alive httpx clients.

The benchmark process is also the HTTP client, on the same cores as the server and the database: the HTTP
figures are what one 2-core box does end to end, not what the server alone could do.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
import sqlalchemy
from psycopg.types.json import Jsonb
from sqlalchemy import Engine, event, make_url

from omnifill.adapters.demo_catalog import demo_skus, popularity
from omnifill.adapters.geography import lookup_postal_code
from omnifill.adapters.ids import new_id
from omnifill.adapters.sql.engine import make_engine
from omnifill.adapters.sql.migrate import upgrade_database
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.errors import InsufficientStock
from omnifill.domain.inventory import MovementKind
from omnifill.domain.locations import GeoPoint, great_circle_miles
from omnifill.domain.orders import Address, Customer, Delivery, DeliveryMethod, OrderDraft, OrderLine, ServiceLevel
from omnifill.services.access import create_api_key
from omnifill.services.demo import seed_demo
from omnifill.services.inventory import MovementRequest, record_movement
from omnifill.services.orders import place_order

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/omnifill_bench"
WAREHOUSES = ("WH-RENO", "WH-MEMPHIS", "WH-ALLENTOWN")
RECEIPT_UNITS = 1_000_000
CHANNEL = "web"
ACTOR = "bench"
# Real ZIP codes of US cities: the allocation ranks locations by great-circle distance from them.
CITY_ZIPS = (
    "10001", "11201", "02108", "19103", "20001", "30303", "33130", "32801", "60601", "48226",
    "55401", "63101", "64105", "75201", "77002", "80202", "85004", "89101", "90012", "94103",
    "98101", "97204",
)  # fmt: skip
PATHS = ("floor", "service", "http")
HTTP_WORKERS = 2
NAGLE_FLOOR_MS = 35.0  # a minimum latency above this is the Nagle / delayed-ACK signature


# ------------------------------------------------------------------------------------------------
# The order mix
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderSpec:
    external_id: str
    postal_code: str
    lines: tuple[tuple[str, int, Decimal], ...]  # (sku, quantity, unit price)

    def draft(self) -> OrderDraft:
        return OrderDraft(
            channel=CHANNEL, external_id=self.external_id, customer=Customer(email="shopper@example.com"),
            ship_to=Address(self.postal_code), delivery=Delivery(DeliveryMethod.SHIP, ServiceLevel.STANDARD),
            lines=tuple(OrderLine(sku, units, price) for sku, units, price in self.lines),
        )

    def body(self) -> bytes:
        return json.dumps({
            "channel": CHANNEL, "external_id": self.external_id, "customer": {"email": "shopper@example.com"},
            "ship_to": {"postal_code": self.postal_code}, "delivery": {"method": "ship", "service_level": "standard"},
            "lines": [{"sku": sku, "quantity": units, "unit_price": str(price)} for sku, units, price in self.lines],
        }).encode()


def order_mix(prefix: str, count: int, lines: int, seed: int) -> list[OrderSpec]:
    """`count` ship orders of `lines` distinct SKUs each, SKUs drawn by the demo's Zipf-like popularity."""
    rng = random.Random(seed)
    catalog = demo_skus()
    weights = [popularity(i) for i in range(len(catalog))]
    specs = []
    for n in range(count):
        chosen: list[int] = []
        while len(chosen) < lines:
            pick = rng.choices(range(len(catalog)), weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        specs.append(OrderSpec(
            external_id=f"{prefix}-{n:06d}", postal_code=rng.choice(CITY_ZIPS),
            lines=tuple((catalog[i].code, rng.choice((1, 1, 1, 2)), catalog[i].unit_price) for i in chosen),
        ))
    return specs


# ------------------------------------------------------------------------------------------------
# Databases: seed a template once per backend, copy it for every cell
# ------------------------------------------------------------------------------------------------


class Backend(ABC):
    name: str

    @abstractmethod
    def template_url(self) -> str:
        ...

    @abstractmethod
    def fresh(self) -> str:
        """A new database, identical to the seeded template; returns its SQLAlchemy URL."""
        ...

    @abstractmethod
    def drop(self, url: str) -> None:
        ...

    @abstractmethod
    def close(self) -> None:
        ...

    @abstractmethod
    def version(self) -> str:
        ...


class SqliteBackend(Backend):
    name = "sqlite"

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="omnifill-bench-")
        self._template = Path(self._dir.name) / "template.db"
        self._cells = 0

    def template_url(self) -> str:
        return f"sqlite:///{self._template}"

    def fresh(self) -> str:
        self._cells += 1
        target = Path(self._dir.name) / f"cell-{self._cells}.db"
        with sqlite3.connect(self._template) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        source.close()
        copy.close()
        return f"sqlite:///{target}"

    def drop(self, url: str) -> None:
        path = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        self._dir.cleanup()

    def version(self) -> str:
        return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)"


class PostgresBackend(Backend):
    name = "postgres"

    def __init__(self, url: str) -> None:
        self._url = make_url(url)
        self._template = self._url.database or "omnifill_bench"
        self._cell = f"{self._template}_cell"
        self._admin = psycopg.connect(driver_conninfo(self._url.set(database="postgres")), autocommit=True)
        for name in (self._cell, self._template):
            self._admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._admin.execute(f'CREATE DATABASE "{self._template}"')

    def template_url(self) -> str:
        return self._url.render_as_string(hide_password=False)

    def fresh(self) -> str:
        self._admin.execute(f'CREATE DATABASE "{self._cell}" TEMPLATE "{self._template}"')
        return self._url.set(database=self._cell).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        self._admin.execute(f'DROP DATABASE IF EXISTS "{self._cell}" WITH (FORCE)')

    def close(self) -> None:
        self._admin.execute(f'DROP DATABASE IF EXISTS "{self._cell}" WITH (FORCE)')
        self._admin.execute(f'DROP DATABASE IF EXISTS "{self._template}" WITH (FORCE)')
        self._admin.close()

    def version(self) -> str:
        settings = {}
        for name in ("server_version", "synchronous_commit", "fsync", "shared_buffers"):
            row = self._admin.execute(f"SHOW {name}").fetchone()
            settings[name] = row[0] if row else "?"
        return (f"PostgreSQL {settings['server_version']} (synchronous_commit={settings['synchronous_commit']}, "
                f"fsync={settings['fsync']}, shared_buffers={settings['shared_buffers']})")


def driver_conninfo(url: sqlalchemy.URL) -> str:
    """The libpq URL psycopg takes, from a SQLAlchemy one."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def seed_template(url: str) -> str:
    """Migrate, seed the demo, receive plenty of every SKU at the warehouses; returns an admin API key."""
    engine = make_engine(url, pool_size=2)
    try:
        upgrade_database(engine)
        uow = UnitOfWork(engine)
        now = datetime.now(UTC)
        seed_demo(uow, now, history=None)  # the network and stock only: intake runs on a clean slate
        for sku in demo_skus():
            for warehouse in WAREHOUSES:
                request = MovementRequest(sku.code, warehouse, MovementKind.RECEIPT, RECEIPT_UNITS, "bench stock")
                record_movement(uow, request, ACTOR, now)
        key, _ = create_api_key(uow, "admin", now, "intake benchmark")
        return key
    finally:
        engine.dispose()


# ------------------------------------------------------------------------------------------------
# Running a cell: T threads, warm-up outside the clock, one latency per order
# ------------------------------------------------------------------------------------------------


class Refused(Exception):
    """The order was answered 409 / InsufficientStock: counted, not timed as a success."""


@dataclass
class Outcome:
    placed: int = 0
    refused: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.placed / self.elapsed if self.elapsed else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    @property
    def minimum(self) -> float:
        return min(self.latencies) * 1000 if self.latencies else 0.0


class Client(ABC):
    """One thread's way of placing an order on one path; built and torn down outside the clock."""

    @abstractmethod
    def place(self, spec: OrderSpec) -> None:
        ...

    def close(self) -> None:  # noqa: B027  (optional: only clients holding a connection override it)
        """Release what the client holds; most hold nothing of their own."""


def run_cell(make_client: Callable[[], Client], specs: Sequence[OrderSpec], warmup: Sequence[OrderSpec],
             threads: int) -> Outcome:
    outcome = Outcome()
    lock = threading.Lock()
    ready = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def work(mine: Sequence[OrderSpec], warm: Sequence[OrderSpec]) -> None:
        latencies: list[float] = []
        placed = refused = 0
        client: Client | None = None
        try:
            client = make_client()
            for spec in warm:
                with suppress(Refused):
                    client.place(spec)
            ready.wait()
            for spec in mine:
                started = time.perf_counter()
                try:
                    client.place(spec)
                except Refused:
                    refused += 1
                    continue
                latencies.append(time.perf_counter() - started)
                placed += 1
        except BaseException as error:  # report it after the run, never hang the barrier
            errors.append(error)
            ready.abort()
        finally:
            if client is not None:
                client.close()
            with lock:
                outcome.latencies.extend(latencies)
                outcome.placed += placed
                outcome.refused += refused

    workers = [
        threading.Thread(target=work, args=(specs[i::threads], warmup[i::threads]), daemon=True)
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    with suppress(threading.BrokenBarrierError):
        ready.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    outcome.elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} client thread(s) failed") from errors[0]
    return outcome


# ------------------------------------------------------------------------------------------------
# Path 1: the service layer
# ------------------------------------------------------------------------------------------------


class ServiceClient(Client):
    def __init__(self, engine: Engine) -> None:
        self._uow = UnitOfWork(engine)  # one per thread: a UnitOfWork holds its connection while open

    def place(self, spec: OrderSpec) -> None:
        try:
            place_order(self._uow, spec.draft(), ACTOR, datetime.now(UTC))
        except InsufficientStock:
            raise Refused() from None


# ------------------------------------------------------------------------------------------------
# Path 2: HTTP against a real server
# ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def http_server(database_url: str, workers: int) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "OMNIFILL_DATABASE_URL": database_url}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "omnifill.entrypoints.api.app:create_app", "--factory",
         "--workers", str(workers), "--host", "127.0.0.1", "--port", str(port),
         "--no-access-log", "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                assert server.stderr is not None
                raise RuntimeError(f"the server exited: {server.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer /health within 60 s")
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class HttpClient(Client):
    def __init__(self, base: str, key: str) -> None:
        # One connection per thread, kept alive across requests.
        self._http = httpx.Client(
            base_url=base, timeout=60,
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )

    def place(self, spec: OrderSpec) -> None:
        response = self._http.post("/v1/orders", content=spec.body())
        if response.status_code == 409:
            raise Refused()
        if response.status_code != 201:
            raise RuntimeError(f"POST /v1/orders answered {response.status_code}: {response.text[:500]}")

    def close(self) -> None:
        self._http.close()


# ------------------------------------------------------------------------------------------------
# Path 3: the raw floor, straight through the DB-API driver
# ------------------------------------------------------------------------------------------------

_LOCATION_COLUMNS = (
    "locations.id, locations.code, locations.name, locations.kind, locations.latitude, locations.longitude, "
    "locations.postal_code, locations.country, locations.time_zone, locations.capabilities, "
    "locations.daily_order_capacity, locations.fulfillment_enabled, locations.created_at, locations.updated_at"
)
_AVAILABLE = "inventory_levels.on_hand - inventory_levels.reserved - inventory_levels.safety_stock"
_MONEY_SCALE = Decimal(10_000)  # ScaledDecimal(4): money is stored as integer 1/10000ths


def _marks(n: int) -> str:
    return ", ".join("?" * n)


@dataclass(frozen=True, slots=True)
class Network:
    """What the floor knows before the clock starts: each ZIP's locations, nearest first."""

    ranking: dict[str, list[int]]

    @staticmethod
    def read(rows: Sequence[tuple[int, float, float]]) -> Network:
        ranking = {}
        for postal_code in CITY_ZIPS:
            place = lookup_postal_code(postal_code)
            assert place is not None, postal_code
            distance = {i: great_circle_miles(place.position, GeoPoint(lat, lon)) for i, lat, lon in rows}
            ranking[postal_code] = sorted(distance, key=lambda i: distance[i])
        return Network(ranking)


class FloorClient(Client):
    """The service's statements, hand-written. Subclasses say how to talk to their driver."""

    def __init__(self, network: Network) -> None:
        self._network = network

    # driver specifics ------------------------------------------------------------------------
    @abstractmethod
    def _begin(self) -> None:
        ...

    @abstractmethod
    def _commit(self) -> None:
        ...

    @abstractmethod
    def _rollback(self) -> None:
        ...

    @abstractmethod
    def _all(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        ...

    @abstractmethod
    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        ...

    @abstractmethod
    def _json(self, value: Any) -> Any:
        ...

    @abstractmethod
    def _time(self, now: datetime) -> Any:
        ...

    @abstractmethod
    def _capabilities(self, value: Any) -> list[str]:
        ...

    # the use case ------------------------------------------------------------------------------
    def place(self, spec: OrderSpec) -> None:
        for _ in range(3):  # like the service: a lost race plans again on fresh numbers
            self._begin()
            try:
                if self._place_once(spec):
                    self._commit()
                    return
            except BaseException:
                self._rollback()
                raise
            self._rollback()
        raise Refused()

    def _place_once(self, spec: OrderSpec) -> bool:
        now = datetime.now(UTC)
        stamp = self._time(now)
        if self._all("SELECT orders.id FROM orders WHERE orders.channel = ? AND orders.external_id = ?",
                     (CHANNEL, spec.external_id)):
            raise RuntimeError(f"duplicate order {spec.external_id}")
        codes = [sku for sku, _, _ in spec.lines]
        sku_ids = dict(self._all(f"SELECT skus.code, skus.id FROM skus WHERE skus.code IN ({_marks(len(codes))})",
                                 codes))
        demand = {sku_ids[sku]: units for sku, units, _ in spec.lines}
        rows = self._all(
            f"SELECT {_LOCATION_COLUMNS}, skus.code AS sku_code, {_AVAILABLE} AS available "
            "FROM inventory_levels JOIN locations ON locations.id = inventory_levels.location_id "
            "JOIN skus ON skus.id = inventory_levels.sku_id "
            f"WHERE inventory_levels.sku_id IN ({_marks(len(demand))}) AND {_AVAILABLE} > 0",
            list(demand),
        )
        stock: dict[int, dict[str, int]] = {}
        location_codes: dict[int, str] = {}
        for row in rows:
            if row[11] and "ship" in self._capabilities(row[9]):
                stock.setdefault(row[0], {})[row[14]] = row[15]
                location_codes[row[0]] = row[1]
        plan = self._allocate(spec, stock)
        if plan is None:
            raise Refused()
        # Guarded updates in one fixed order, as the service does, so writers never deadlock.
        reservations = sorted((location_codes[loc], sku, loc, units)
                              for loc, lines in plan.items() for sku, units in lines.items())
        order_id = new_id("ord")
        ledger = []
        for _, sku, location_id, units in reservations:
            after = self._all(
                "UPDATE inventory_levels SET reserved = inventory_levels.reserved + ?, updated_at = ? "
                "WHERE inventory_levels.sku_id = ? AND inventory_levels.location_id = ? "
                f"AND {_AVAILABLE} >= ? "
                "RETURNING inventory_levels.on_hand, inventory_levels.reserved, inventory_levels.safety_stock, "
                "inventory_levels.average_unit_cost",
                (units, stamp, sku_ids[sku], location_id, units),
            )
            if not after:
                return False  # lost the race: roll back and plan again
            on_hand, reserved, _, cost = after[0]
            ledger.append((sku_ids[sku], location_id, "reservation", units, 0, units, on_hand, reserved, cost,
                           "order placed", ACTOR, order_id, stamp))
        self._all(
            "INSERT INTO orders (id, channel, external_id, status, customer, ship_to, delivery_method, "
            "service_level, pickup_location, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (order_id, CHANNEL, spec.external_id, "allocated",
             self._json({"email": "shopper@example.com", "name": None, "phone": None}),
             self._json({"postal_code": spec.postal_code, "country": "US", "lines": []}),
             "ship", "standard", None, stamp, stamp),
        )
        self._many(
            "INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price) VALUES (?, ?, ?, ?, ?)",
            [(order_id, no, sku, units, int(price * _MONEY_SCALE))
             for no, (sku, units, price) in enumerate(spec.lines, start=1)],
        )
        fulfillments = {loc: new_id("ful") for loc in plan}
        self._many(
            "INSERT INTO fulfillment_orders (id, order_id, location_id, status, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(fid, order_id, loc, "pending", stamp, stamp) for loc, fid in fulfillments.items()],
        )
        self._many(
            "INSERT INTO fulfillment_lines (fulfillment_id, sku_id, quantity) VALUES (?, ?, ?)",
            [(fulfillments[loc], sku_ids[sku], units) for loc, lines in plan.items() for sku, units in lines.items()],
        )
        self._many(
            "INSERT INTO inventory_movements (sku_id, location_id, kind, quantity, on_hand_delta, reserved_delta, "
            "on_hand_after, reserved_after, unit_cost, reason, actor, order_id, occurred_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ledger,
        )
        payload = {
            "order_id": order_id, "channel": CHANNEL, "external_id": spec.external_id, "status": "allocated",
            "fulfillments": [
                {"id": fulfillments[loc], "location": location_codes[loc],
                 "lines": [{"sku": sku, "quantity": units} for sku, units in sorted(lines.items())]}
                for loc, lines in plan.items()
            ],
        }
        self._many(
            "INSERT INTO outbox_events (type, entity_type, entity_id, payload, occurred_at) VALUES (?, ?, ?, ?, ?)",
            [("order.placed", "order", order_id, self._json(payload), stamp)],
        )
        return True

    def _allocate(self, spec: OrderSpec, stock: dict[int, dict[str, int]]) -> dict[int, dict[str, int]] | None:
        """Nearest location holding every line; else each SKU from the nearest that has it (None if short)."""
        demand = {sku: units for sku, units, _ in spec.lines}
        nearest = [loc for loc in self._network.ranking[spec.postal_code] if loc in stock]
        for loc in nearest:
            if all(stock[loc].get(sku, 0) >= units for sku, units in demand.items()):
                return {loc: demand}
        plan: dict[int, dict[str, int]] = {}
        for sku, units in demand.items():
            source = next((loc for loc in nearest if stock[loc].get(sku, 0) >= units), None)
            if source is None:
                return None
            plan.setdefault(source, {})[sku] = units
        return plan


class SqliteFloor(FloorClient):
    def __init__(self, network: Network, path: str) -> None:
        super().__init__(network)
        # The engine's settings: autocommit mode so BEGIN is ours, WAL, synchronous=NORMAL, FKs on.
        self._db = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=60000"):
            self._db.execute(f"PRAGMA {pragma}")

    def _begin(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def _commit(self) -> None:
        self._db.execute("COMMIT")

    def _rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _all(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return self._db.execute(sql, params).fetchall()

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._db.executemany(sql, rows)

    def _json(self, value: Any) -> Any:
        return json.dumps(value)

    def _time(self, now: datetime) -> Any:
        return now.replace(tzinfo=None).isoformat(" ")  # how SQLAlchemy stores a DateTime on SQLite

    def _capabilities(self, value: Any) -> list[str]:
        found: list[str] = json.loads(value)
        return found

    def close(self) -> None:
        self._db.close()


class PostgresFloor(FloorClient):
    def __init__(self, network: Network, conninfo: str) -> None:
        super().__init__(network)
        self._db = psycopg.connect(conninfo)  # not autocommit: the first statement opens the transaction

    def _begin(self) -> None:
        pass

    def _commit(self) -> None:
        self._db.commit()

    def _rollback(self) -> None:
        self._db.rollback()

    def _all(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        cursor = self._db.execute(sql.replace("?", "%s"), params)
        return cursor.fetchall() if cursor.description else []

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._db.cursor() as cursor:
            cursor.executemany(sql.replace("?", "%s"), rows)

    def _json(self, value: Any) -> Any:
        return Jsonb(value)

    def _time(self, now: datetime) -> Any:
        return now

    def _capabilities(self, value: Any) -> list[str]:
        found: list[str] = value
        return found

    def close(self) -> None:
        self._db.close()


def read_network(url: str) -> Network:
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT id, latitude, longitude FROM locations").all()
    finally:
        engine.dispose()
    return Network.read([(r[0], r[1], r[2]) for r in rows])


# ------------------------------------------------------------------------------------------------
# Cells and the table
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    backend: str
    lines: int
    path: str
    threads: int
    outcome: Outcome


def run_path(path: str, url: str, key: str, specs: Sequence[OrderSpec], warmup: Sequence[OrderSpec],
             threads: int) -> Outcome:
    if path == "floor":
        network = read_network(url)
        if url.startswith("sqlite"):
            database = make_url(url).database or ""
            return run_cell(lambda: SqliteFloor(network, database), specs, warmup, threads)
        conninfo = driver_conninfo(make_url(url))
        return run_cell(lambda: PostgresFloor(network, conninfo), specs, warmup, threads)
    if path == "service":
        engine = make_engine(url, pool_size=max(threads, 2))
        try:
            return run_cell(lambda: ServiceClient(engine), specs, warmup, threads)
        finally:
            engine.dispose()
    with http_server(url, HTTP_WORKERS) as base:
        return run_cell(lambda: HttpClient(base, key), specs, warmup, threads)


def run_backend(backend: Backend, args: argparse.Namespace, emit: Callable[[Row], None]) -> None:
    started = time.perf_counter()
    key = seed_template(backend.template_url())
    print(f"# {backend.name}: seeded the demo network and stock in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    thread_counts = sorted({1, args.concurrency})
    for lines in (1, 3):
        for threads in thread_counts:
            for path in args.paths:
                tag = f"{backend.name}-{lines}-{path}-{threads}"
                specs = order_mix(tag, args.orders, lines, seed=lines)
                warmup = order_mix(f"warm-{tag}", args.warmup * threads, lines, seed=100 + lines)
                url = backend.fresh()
                try:
                    outcome = run_path(path, url, key, specs, warmup, threads)
                finally:
                    backend.drop(url)
                emit(Row(backend.name, lines, path, threads, outcome))


HEADER = ("backend", "lines", "path", "threads", "orders/s", "p50 ms", "p99 ms", "min ms", "ratio to floor", "409s")


def table_row(row: Row, floors: dict[tuple[str, int, int], float]) -> tuple[str, ...]:
    floor = floors.get((row.backend, row.lines, row.threads))
    ratio = "1.00" if row.path == "floor" else (f"{row.outcome.rate / floor:.2f}" if floor else "-")
    o = row.outcome
    return (row.backend, str(row.lines), row.path, str(row.threads), f"{o.rate:,.0f}", f"{o.percentile(0.5):.2f}",
            f"{o.percentile(0.99):.2f}", f"{o.minimum:.2f}", ratio, str(o.refused))


def print_table(rows: Sequence[Row]) -> None:
    floors = {(r.backend, r.lines, r.threads): r.outcome.rate for r in rows if r.path == "floor"}
    cells = [HEADER, *(table_row(r, floors) for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADER))]
    numeric = {1, 3, 4, 5, 6, 7, 8, 9}

    def line(cell: Sequence[str]) -> str:
        return "| " + " | ".join(v.rjust(w) if i in numeric else v.ljust(w)
                                 for i, (v, w) in enumerate(zip(cell, widths, strict=True))) + " |"

    print(line(HEADER))
    print("|" + "|".join(("-" * (w + 1) + ":") if i in numeric else "-" * (w + 2) for i, w in enumerate(widths)) + "|")
    for cell in cells[1:]:
        print(line(cell))
    for r in rows:
        if r.path == "http" and r.outcome.minimum >= NAGLE_FLOOR_MS:
            print(f"WARNING: {r.backend} {r.lines}-line http at {r.threads} thread(s) never answered in under "
                  f"{NAGLE_FLOOR_MS:.0f} ms: the Nagle / delayed-ACK signature of a slow server stack")


def machine_facts(backends: Sequence[Backend]) -> list[str]:
    model = "unknown CPU"
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    facts = [
        f"CPU: {model}, {os.cpu_count()} cores; {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}; SQLAlchemy {sqlalchemy.__version__}; psycopg {psycopg.__version__}; "
        f"httpx {httpx.__version__}",
    ]
    facts.extend(b.version() for b in backends)
    return facts


# ------------------------------------------------------------------------------------------------
# --profile: where a path's time goes, single-threaded
# ------------------------------------------------------------------------------------------------


def profile(backend: Backend, path: str, lines: int, orders: int, top: int) -> None:
    key = seed_template(backend.template_url())
    del key
    url = backend.fresh()
    try:
        specs = order_mix(f"profile-{lines}", orders, lines, seed=lines)
        warmup = order_mix(f"warm-profile-{lines}", 20, lines, seed=100 + lines)
        statements = [0]
        client: Client
        engine: Engine | None = None
        if path == "service":
            engine = make_engine(url, pool_size=2)

            @event.listens_for(engine, "before_cursor_execute")
            def _count(*_: Any) -> None:
                statements[0] += 1

            client = ServiceClient(engine)
        elif url.startswith("sqlite"):
            client = SqliteFloor(read_network(url), make_url(url).database or "")
        else:
            client = PostgresFloor(read_network(url), driver_conninfo(make_url(url)))
        for spec in warmup:
            client.place(spec)
        statements[0] = 0
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for spec in specs:
            client.place(spec)
        profiler.disable()
        elapsed = time.perf_counter() - started
        client.close()
        if engine is not None:
            engine.dispose()
        print(f"{backend.name} {path}, {lines}-line orders: {orders / elapsed:,.0f} orders/s under cProfile, "
              f"{1000 * elapsed / orders:.3f} ms per order")
        if path == "service":
            print(f"statements sent through SQLAlchemy per order: {statements[0] / orders:.1f}")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
    finally:
        backend.drop(url)


# ------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("OMNIFILL_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                        help="a database this run may drop and create, with its cell copy <name>_cell "
                             "(default: $OMNIFILL_BENCH_POSTGRES_URL or %(default)s)")
    parser.add_argument("--orders", type=int, default=2000, help="timed orders per cell (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed orders per thread first (default %(default)s)")
    parser.add_argument("--concurrency", type=int, default=8,
                        help="client threads; every backend also runs at 1 thread (default %(default)s)")
    parser.add_argument("--paths", nargs="+", choices=PATHS, default=list(PATHS))
    parser.add_argument("--quick", action="store_true", help="a smoke run: 200 orders a cell, 3 warm-up orders")
    parser.add_argument("--profile", choices=("service", "floor"),
                        help="instead of the table: cProfile one thread on this path, print the top costs")
    parser.add_argument("--profile-lines", type=int, choices=(1, 3), default=1)
    args = parser.parse_args(argv)
    if args.quick:
        args.orders, args.warmup = 200, 3
    names = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)

    backends: list[Backend] = []
    try:
        for name in names:
            backends.append(SqliteBackend() if name == "sqlite" else PostgresBackend(args.postgres_url))
        if args.profile:
            for backend in backends:
                profile(backend, args.profile, args.profile_lines, args.orders, top=30)
            return 0
        for fact in machine_facts(backends):
            print(fact)
        print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
        print(f"{args.orders} timed orders per cell after {args.warmup} warm-up orders per thread; "
              f"http: {HTTP_WORKERS} uvicorn workers, keep-alive httpx clients\n")
        rows: list[Row] = []

        def emit(row: Row) -> None:
            rows.append(row)
            o = row.outcome
            print(f"# {row.backend} {row.lines}-line {row.path} x{row.threads}: {o.rate:,.0f} orders/s, "
                  f"p50 {o.percentile(0.5):.2f} ms, p99 {o.percentile(0.99):.2f} ms, {o.refused} refused",
                  file=sys.stderr, flush=True)

        for backend in backends:
            run_backend(backend, args, emit)
        print_table(rows)
        return 0
    finally:
        for backend in backends:
            backend.close()


if __name__ == "__main__":
    sys.exit(main())
