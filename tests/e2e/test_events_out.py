"""Events out over HTTP: the stream read through the API, and webhooks delivered to a real HTTP receiver that is
down for a while — every event arrives once, in order per order, signed. The worker runs on a test clock, so
backoff needs no waiting."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.adapters.webhook_sender import HttpWebhookSender
from omnifill.config import Settings
from omnifill.domain.webhooks import RetryPolicy, verify_signature
from omnifill.entrypoints.api.app import create_app
from omnifill.entrypoints.cli import app as cli
from omnifill.services.event_relay import EventOutlets, move_events
from tests.conftest import NOW
from tests.e2e.conftest import TEE, Headers, Keys, act, build_network, created, error_of, order_body, sku_body

POLICY = RetryPolicy(max_attempts=8, base=timedelta(seconds=5), cap=timedelta(seconds=60))
SECRET = "whsec_e2e_receiver_secret"


@dataclass
class Receiver:
    """A real HTTP server: answers 503 to the first `down_for` requests (as a receiver that is down), then 200."""

    down_for: int
    requests: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)  # (our answer, headers, body)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            status = 503 if len(self.requests) < self.down_for else 200
            self.requests.append((status, headers, body))
            return status

    def accepted(self) -> list[dict[str, Any]]:
        return [json.loads(body) for status, _, body in self.requests if status == 200]


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver(down_for=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = state.answer(dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_port}/hooks/omnifill"
    server.shutdown()
    server.server_close()


@pytest.fixture
def api(database_url: str) -> Iterator[TestClient]:
    """The app without its background relay: these tests drive the relay and the worker on their own clock."""
    app = create_app(Settings(database_url=database_url, events_every_seconds=0))
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def drive(engine: Engine, start: datetime, rounds: int = 60) -> datetime:
    """Relay and deliver like the server's loop, moving the clock past the longest backoff between passes."""
    local = HttpWebhookSender(timeout_seconds=5, allow_private_networks=True)  # the receiver is on 127.0.0.1
    outlets = EventOutlets(local, POLICY, timedelta(minutes=5))
    now = start
    try:
        for _ in range(rounds):
            _, run = move_events(UnitOfWork(engine), outlets, now)
            if run.sent == 0 and not _waiting(engine, now + POLICY.cap):
                return now
            now += POLICY.cap
    finally:
        outlets.close()
    raise AssertionError("deliveries still waiting after every round")


def _waiting(engine: Engine, at: datetime) -> bool:
    with UnitOfWork(engine).reading() as reader:
        return reader.webhooks.has_due(at)


def subscribe(api: TestClient, admin: Headers, url: str, types: list[str]) -> dict[str, Any]:
    return created(api.post("/v1/webhook-subscriptions", headers=admin,
                            json={"url": url, "event_types": types, "secret": SECRET}))


def place_and_cancel(api: TestClient, channel: Headers, count: int) -> list[str]:
    """`count` orders, every other one cancelled: events of several orders interleaved in the stream."""
    ids = []
    for n in range(count):
        order = created(api.post("/v1/orders", headers=channel, json=order_body(f"ev-{n}", {TEE: 1})))
        ids.append(order["id"])
        if n % 2:
            act(api, channel, f"/v1/orders/{order['id']}/cancel")
    return ids


def stream(api: TestClient, headers: Headers, **params: Any) -> list[dict[str, Any]]:
    response = api.get("/v1/events", headers=headers, params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_receiver_down_for_its_first_deliveries_still_gets_every_event_once_in_order(
    api: TestClient, keys: Keys, engine: Engine, receiver: tuple[Receiver, str],
) -> None:
    admin, channel = keys("admin"), keys("channel:web")
    state, url = receiver
    subscription = subscribe(api, admin, url, ["order."])
    build_network(api, admin)
    orders = place_and_cancel(api, channel, 6)
    state.down_for = 7  # the first seven requests find it down

    drive(engine, NOW)

    expected = stream(api, admin, type="order.")
    assert len(expected) == 9  # six placed, three cancelled
    got = state.accepted()
    assert sorted(e["id"] for e in got) == sorted(e["id"] for e in expected)  # every event, none twice
    for order_id in orders:
        sent = [e["cursor"] for e in got if e["entity_id"] == order_id]
        assert sent == [e["cursor"] for e in expected if e["entity_id"] == order_id]  # in stream order
    assert [status for status, _, _ in state.requests].count(503) == 7
    for _, headers, body in state.requests:
        assert verify_signature(SECRET, headers["Omnifill-Signature"], body, int(NOW.timestamp()),
                                tolerance_seconds=10**6)
        assert headers["Omnifill-Event-Id"] == str(json.loads(body)["id"])
    deliveries = api.get(f"/v1/webhook-subscriptions/{subscription['id']}/deliveries", headers=admin,
                         params={"status": "delivered", "limit": 500}).json()["items"]
    assert len(deliveries) == 9


def test_a_dead_letter_is_listed_and_replayed_once_the_receiver_is_back(
    api: TestClient, keys: Keys, engine: Engine, receiver: tuple[Receiver, str],
) -> None:
    admin, channel = keys("admin"), keys("channel:web")
    state, url = receiver
    subscription = subscribe(api, admin, url, ["order.placed"])
    build_network(api, admin)
    [order_id] = place_and_cancel(api, channel, 1)
    state.down_for = POLICY.max_attempts  # down for every try

    drive(engine, NOW)

    path = f"/v1/webhook-subscriptions/{subscription['id']}/dead-letters"
    [dead] = api.get(path, headers=admin).json()["items"]
    assert (dead["status"], dead["attempts"], dead["last_status_code"]) == ("dead", POLICY.max_attempts, 503)
    assert dead["event_type"] == "order.placed"
    assert state.accepted() == []

    replayed = act(api, admin, f"{path}/{dead['id']}/replay")
    assert (replayed["status"], replayed["attempts"]) == ("pending", 0)
    drive(engine, datetime.now(UTC))  # the replay (on the server's clock) made it due now

    assert [(e["type"], e["entity_id"]) for e in state.accepted()] == [("order.placed", order_id)]
    assert api.get(path, headers=admin).json()["items"] == []
    error_of(api.post(f"{path}/{dead['id']}/replay", headers=admin), 409, "invalid_transition")
    error_of(api.post(f"{path}/999999/replay", headers=admin), 404, "not_found")


def test_the_stream_reads_on_from_a_cursor_with_type_filters(api: TestClient, keys: Keys, engine: Engine) -> None:
    admin, channel = keys("admin"), keys("channel:web")
    build_network(api, admin)
    place_and_cancel(api, channel, 2)
    drive(engine, NOW)

    everything = stream(api, admin)
    assert [e["type"] for e in everything].count("order.placed") == 2
    first = api.get("/v1/events", headers=admin, params={"limit": 3}).json()
    rest = stream(api, admin, after=first["next_cursor"])
    assert first["items"] + rest == everything
    assert {e["type"] for e in stream(api, admin, type=["order.cancelled", "sku."])} == {"order.cancelled",
                                                                                         "sku.created"}
    idle = api.get("/v1/events", headers=admin, params={"after": everything[-1]["cursor"]}).json()
    assert idle == {"items": [], "next_cursor": everything[-1]["cursor"]}


def test_bad_requests_are_named_and_only_admin_and_operator_keys_reach_events(
    api: TestClient, keys: Keys,
) -> None:
    admin = keys("admin")
    assert error_of(api.get("/v1/events", headers=admin, params={"after": "garbage"}), 422,
                    "invalid_input")["errors"] == [{"field": "after", "problem": "not a cursor this API returned"}]
    error_of(api.get("/v1/events", headers=admin, params={"type": "Order.%"}), 422, "invalid_input")
    error_of(api.get("/v1/events", headers=admin, params={"limit": 501}), 422, "invalid_input")
    for body, field_name in (({"url": "ftp://example.com"}, "url"), ({"url": "notaurl"}, "url"),
                             ({"url": "https://example.com", "secret": "short"}, "secret"),
                             ({"url": "https://example.com", "event_types": []}, "event_types"),
                             ({"url": "https://example.com", "event_types": ["order .x"]}, "event_types")):
        details = error_of(api.post("/v1/webhook-subscriptions", headers=admin, json=body), 422, "invalid_input")
        assert details["errors"][0]["field"] == field_name, details
    for role in ("channel:web", "store:ST-NYC", "vendor:VN-1", "carrier:groundline"):
        error_of(api.get("/v1/events", headers=keys(role)), 403, "forbidden")
        error_of(api.post("/v1/webhook-subscriptions", headers=keys(role), json={"url": "https://example.com"}),
                 403, "forbidden")
    assert api.get("/v1/events", headers=keys("operator")).status_code == 200
    assert api.get("/v1/events").status_code == 401


def test_a_subscription_shows_its_secret_once_and_can_be_disabled(api: TestClient, keys: Keys) -> None:
    operator = keys("operator")
    made = created(api.post("/v1/webhook-subscriptions", headers=operator,
                            json={"url": "https://hooks.example.com/x", "event_types": ["order.", "shipment."]}))
    assert made["secret"].startswith("whsec_")
    assert made["active"] is True
    shown = api.get(f"/v1/webhook-subscriptions/{made['id']}", headers=operator).json()
    assert "secret" not in shown
    assert shown["event_types"] == ["order.", "shipment."]
    assert [s["id"] for s in api.get("/v1/webhook-subscriptions", headers=operator).json()["items"]] == [made["id"]]
    disabled = api.delete(f"/v1/webhook-subscriptions/{made['id']}", headers=operator)
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["active"] is False
    error_of(api.get("/v1/webhook-subscriptions/whs_nope", headers=operator), 404, "not_found")


def test_the_cli_relays_and_delivers_once(
    api: TestClient, keys: Keys, database_url: str, receiver: tuple[Receiver, str],
) -> None:
    admin = keys("admin")
    state, url = receiver
    subscribe(api, admin, url, ["sku."])
    created(api.post("/v1/skus", headers=admin, json=sku_body("CLI-1")))

    result = CliRunner().invoke(cli, ["deliver-events", "--once"], env={
        "OMNIFILL_DATABASE_URL": database_url, "OMNIFILL_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true"})

    assert result.exit_code == 0, result.output
    assert "webhooks: 1 delivered, 0 to retry, 0 dead-lettered" in result.output
    assert [(e["type"], e["entity_id"]) for e in state.accepted()] == [("sku.created", "CLI-1")]


def test_by_default_a_receiver_inside_the_network_gets_nothing_and_the_delivery_says_why(
    api: TestClient, keys: Keys, database_url: str, receiver: tuple[Receiver, str],
) -> None:
    admin = keys("admin")
    state, url = receiver  # on 127.0.0.1
    subscription = subscribe(api, admin, url, ["sku."])
    created(api.post("/v1/skus", headers=admin, json=sku_body("CLI-2")))

    result = CliRunner().invoke(cli, ["deliver-events", "--once"], env={"OMNIFILL_DATABASE_URL": database_url})

    assert result.exit_code == 0, result.output
    assert "webhooks: 0 delivered, 1 to retry, 0 dead-lettered" in result.output
    assert state.accepted() == []
    [delivery] = api.get(f"/v1/webhook-subscriptions/{subscription['id']}/deliveries", headers=admin).json()["items"]
    assert "127.0.0.1, not a public address" in delivery["last_error"]


def test_the_server_relays_and_delivers_in_the_background_when_asked(
    database_url: str, keys: Keys, receiver: tuple[Receiver, str],
) -> None:
    state, url = receiver
    app = create_app(Settings(database_url=database_url, events_every_seconds=0.05,
                              webhook_allow_private_networks=True))
    with TestClient(app) as client:
        admin = keys("admin")
        subscribe(client, admin, url, ["sku.created"])
        created(client.post("/v1/skus", headers=admin, json=sku_body("BG-1")))
        for _ in range(400):  # polls a background thread: at most ~20 s, typically one pass
            if state.accepted():
                break
            time.sleep(0.05)
    app.state.engine.dispose()
    assert [(e["type"], e["entity_id"]) for e in state.accepted()] == [("sku.created", "BG-1")]
