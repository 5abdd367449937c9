"""BOPIS and curbside over HTTP: ready → handoff (with the code, or the order number and name; curbside with the
bay), no-show → expiry back to the shelf with a refund, customer notifications through the log notifier, and the
pickup code shown to admin and operator keys only. Each flow ends with the ledger equal to the balances."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from omnifill.adapters.notifiers import LogNotifier
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.notifications import NotificationKind, NotificationStatus
from omnifill.entrypoints.cli import app as cli
from omnifill.services.notifications import notifications_of
from omnifill.services.timers import TimerRun, TimerSettings, run_timers
from tests.e2e.conftest import (
    NYC,
    PHL,
    TEE,
    Headers,
    Keys,
    Network,
    balance,
    created,
    error_of,
    ledger_and_balances,
    list_all,
    location_body,
    order_body,
    row_counts,
)
from tests.e2e.test_fulfillment_flow import act
from tests.factories import ZIP
from tests.factories import ledger as ledger_rows

TIMERS = TimerSettings(pickup_hold=timedelta(days=5), reminder_before=timedelta(days=1))


def ready_pickup(
    api: TestClient, web_channel: Headers, store: Headers, external_id: str = "P-1", curbside: bool = False,
) -> tuple[dict[str, Any], str]:
    """A pickup of 2 tees at New York, accepted, picked and made ready: (the order, its fulfillment id)."""
    body = order_body(external_id, {TEE: 2}, pickup=NYC)
    body["delivery"]["curbside"] = curbside
    order = created(api.post("/v1/orders", headers=web_channel, json=body))
    [work] = order["fulfillments"]
    act(api, store, work["id"], "accept")
    act(api, store, work["id"], "pick", {})
    assert act(api, store, work["id"], "ready")["status"] == "ready_for_pickup"
    return order, work["id"]


def code_of(api: TestClient, admin: Headers, work: str) -> str:
    code: str = api.get(f"/v1/fulfillments/{work}", headers=admin).json()["pickup_code"]
    return code


def test_bopis_ready_tells_the_customer_and_the_code_hands_it_over(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, admin: Headers, engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="omnifill.notifications"):
        order, work = ready_pickup(api, web_channel, nyc_store)
    code = code_of(api, admin, work)

    [ready] = notifications_of(UnitOfWork(engine), order["id"])
    assert (ready.kind, ready.status, ready.notifier, ready.recipient) == (
        NotificationKind.PICKUP_READY, NotificationStatus.SENT, "log", "pat@example.com")
    assert f"Pickup code: {code}" in ready.body
    assert f"  Location {NYC}\n  10001\n" in ready.body  # the store's name and address (here its ZIP code)
    assert "Collect it from " in ready.body
    assert any(f"Pickup code: {code}" in r.getMessage() for r in caplog.records)
    assert balance(api, admin, TEE, NYC) == {"on_hand": 5, "reserved": 2, "safety_stock": 0, "available": 3}

    handed = act(api, nyc_store, work, "handoff", {"pickup_code": code})

    assert (handed["status"], handed["fulfillments"][0]["status"]) == ("picked_up", "picked_up")
    view = api.get(f"/v1/fulfillments/{work}", headers=admin).json()
    assert (view["handoff_method"], view["handed_over_by"]) == ("pickup_code", f"store:{NYC}")
    assert balance(api, admin, TEE, NYC) == {"on_hand": 3, "reserved": 0, "safety_stock": 0, "available": 3}
    again = api.post(f"/v1/fulfillments/{work}/handoff", headers=nyc_store, json={"pickup_code": code})
    assert error_of(again, 409, "invalid_transition")["current_status"] == "picked_up"
    assert error_of(api.post(f"/v1/fulfillments/{work}/ready", headers=nyc_store), 409,
                    "invalid_transition")["current_status"] == "picked_up"
    ledger, balances = ledger_and_balances(engine)
    assert ledger == balances


def test_the_order_number_and_the_name_on_it_hand_it_over_too(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, admin: Headers, engine: Engine,
) -> None:
    _, work = ready_pickup(api, web_channel, nyc_store)
    before = row_counts(engine)

    for proof, field in (({"order_number": "P-1", "customer_name": "Pat Leeds"}, "customer_name"),
                         ({"order_number": "P-2", "customer_name": "Pat Lee"}, "order_number"),
                         ({"order_number": "P-1"}, "pickup_code"),
                         ({}, "pickup_code")):
        refused = api.post(f"/v1/fulfillments/{work}/handoff", headers=nyc_store, json=proof)
        assert error_of(refused, 422, "invalid_input")["errors"][0]["field"] == field, proof
    assert row_counts(engine) == before

    handed = act(api, nyc_store, work, "handoff", {"order_number": " P-1 ", "customer_name": "  pat   LEE"})

    assert handed["status"] == "picked_up"
    assert api.get(f"/v1/fulfillments/{work}", headers=admin).json()["handoff_method"] == "order_number_and_name"
    assert balance(api, admin, TEE, NYC) == {"on_hand": 3, "reserved": 0, "safety_stock": 0, "available": 3}
    ledger, balances = ledger_and_balances(engine)
    assert ledger == balances


def test_a_curbside_customer_says_where_they_parked_and_the_store_sees_it_first(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, admin: Headers, keys: Keys,
    engine: Engine,
) -> None:
    waiting = created(api.post("/v1/orders", headers=web_channel, json=order_body("1001", {TEE: 1})))
    order, work = ready_pickup(api, web_channel, nyc_store, curbside=True)
    assert order["delivery"] == {"method": "pickup", "location": NYC, "curbside": True}
    other_channel = api.post(f"/v1/fulfillments/{work}/arrived", headers=keys("channel:app"), json={"bay": "3"})
    error_of(other_channel, 403, "forbidden")

    arrived = api.post(f"/v1/fulfillments/{work}/arrived", headers=web_channel,
                       json={"bay": "3", "vehicle": "Blue Honda Civic"})

    assert arrived.status_code == 200, arrived.text
    assert (arrived.json()["bay"], arrived.json()["vehicle"], arrived.json()["pickup_code"]) == (
        "3", "Blue Honda Civic", None)
    tasks = api.get(f"/v1/locations/{NYC}/tasks", headers=nyc_store).json()
    assert [(t["fulfillment_id"], t["action"], t["curbside"], t["bay"], t["vehicle"]) for t in tasks] == [
        (work, "handoff", True, "3", "Blue Honda Civic"),  # a customer waiting outside comes first
        (waiting["fulfillments"][0]["id"], "accept", False, None, None),
    ]
    assert tasks[0]["arrived_at"] is not None

    act(api, nyc_store, work, "handoff", {"pickup_code": code_of(api, admin, work), "bay": "4"})

    view = api.get(f"/v1/fulfillments/{work}", headers=admin).json()
    assert (view["status"], view["bay"], view["vehicle"]) == ("picked_up", "4", "Blue Honda Civic")
    late = api.post(f"/v1/fulfillments/{work}/arrived", headers=web_channel, json={"bay": "5"})
    assert error_of(late, 409, "invalid_transition")["current_status"] == "picked_up"
    shipped = waiting["fulfillments"][0]["id"]
    error_of(api.post(f"/v1/fulfillments/{shipped}/arrived", headers=nyc_store, json={}), 409, "invalid_transition")
    ledger, balances = ledger_and_balances(engine)
    assert ledger == balances


def test_a_no_show_is_reminded_then_expires_back_to_the_shelf_with_a_refund(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, admin: Headers, engine: Engine,
) -> None:
    order, work = ready_pickup(api, web_channel, nyc_store)
    uow, now = UnitOfWork(engine), datetime.now(UTC)

    assert run_timers(uow, now + timedelta(days=3), TIMERS, LogNotifier()) == TimerRun(0, 0, 0)
    assert run_timers(uow, now + timedelta(days=4, hours=1), TIMERS, LogNotifier()) == TimerRun(1, 0, 0)
    assert run_timers(uow, now + timedelta(days=5, hours=1), TIMERS, LogNotifier()) == TimerRun(0, 1, 0)
    assert run_timers(uow, now + timedelta(days=6), TIMERS, LogNotifier()) == TimerRun(0, 0, 0)

    assert api.get(f"/v1/orders/{order['id']}", headers=admin).json()["status"] == "cancelled"
    assert api.get(f"/v1/fulfillments/{work}", headers=admin).json()["status"] == "expired"
    assert balance(api, admin, TEE, NYC) == {"on_hand": 5, "reserved": 0, "safety_stock": 0, "available": 5}
    assert [(m["kind"], m["quantity"], m["reason"]) for m in ledger_rows(uow) if (m["sku"], m["location"]) == (TEE, NYC)
            ] == [("receipt", 5, "e2e receipt"), ("reservation", 2, "order placed"),
                  ("release", 2, "pickup not collected: back on the shelf")]
    with uow.reading() as reader:
        events = [e.type for e in reader.outbox.for_entity(order["id"])]
        refund = [e.payload for e in reader.outbox.for_entity(order["id"]) if e.type == "refund.requested"]
    assert events[-2:] == ["order.cancelled", "refund.requested"]
    assert refund == [{"order_id": order["id"], "reason": "pickup not collected", "fulfillment_id": work,
                       "lines": [{"sku": TEE, "quantity": 2}]}]
    assert [(n.kind, n.status, n.notifier) for n in notifications_of(uow, order["id"])] == [
        (NotificationKind.PICKUP_READY, NotificationStatus.SENT, "log"),
        (NotificationKind.PICKUP_REMINDER, NotificationStatus.SENT, "log"),
        (NotificationKind.PICKUP_EXPIRED, NotificationStatus.SENT, "log"),
    ]
    for action, body in (("handoff", {"pickup_code": "000000"}), ("ready", None), ("accept", None)):
        refused = api.post(f"/v1/fulfillments/{work}/{action}", headers=nyc_store, json=body)
        assert error_of(refused, 409, "invalid_transition")["current_status"] == "expired", action
    ledger, balances = ledger_and_balances(engine)
    assert ledger == balances


def test_the_pickup_code_is_shown_to_admin_and_operator_keys_never_to_store_or_channel_keys(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, admin: Headers,
    operator: Headers, keys: Keys,
) -> None:
    _, work = ready_pickup(api, web_channel, nyc_store)
    code = code_of(api, admin, work)
    assert len(code) == 6

    for headers, shown in ((admin, code), (operator, code), (nyc_store, None), (web_channel, None)):
        assert api.get(f"/v1/fulfillments/{work}", headers=headers).json()["pickup_code"] == shown
        listed = list_all(api, headers, "/v1/fulfillments", status="ready_for_pickup")
        assert [(f["id"], f["pickup_code"]) for f in listed] == [(work, shown)]
    assert "pickup_code" not in str(api.get(f"/v1/locations/{NYC}/tasks", headers=nyc_store).json())
    error_of(api.get(f"/v1/fulfillments/{work}", headers=keys("channel:app")), 403, "forbidden")
    assert list_all(api, keys("channel:app"), "/v1/fulfillments") == []
    error_of(api.get(f"/v1/fulfillments/{work}", headers=keys(f"store:{PHL}")), 403, "forbidden")


def test_store_hours_and_a_dark_store_are_configured_where_locations_are(
    api: TestClient, network: Network, admin: Headers,
) -> None:
    hours = {"mon": {"opens": "08:00", "closes": "20:00"}, "sat": {"opens": "10:00", "closes": "16:00"}}
    changed = api.patch(f"/v1/locations/{NYC}", headers=admin,
                        json={"opening_hours": hours, "address": "151 W 34th St"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["opening_hours"] == {**dict.fromkeys(("tue", "wed", "thu", "fri", "sun")), **hours}
    assert changed.json()["address"] == "151 W 34th St"
    backwards = api.patch(f"/v1/locations/{NYC}", headers=admin,
                          json={"opening_hours": {"tue": {"opens": "20:00", "closes": "08:00"}}})
    assert error_of(backwards, 422, "invalid_input")["errors"][0]["field"] == "opening_hours.tue"
    reset = api.patch(f"/v1/locations/{NYC}", headers=admin, json={"opening_hours": None})
    assert reset.json()["opening_hours"]["sun"] == {"opens": "10:00", "closes": "18:00"}

    dark = created(api.post("/v1/locations", headers=admin, json=location_body(
        "DS-BK", "11211", kind="dark_store", capabilities=["ship", "same_day"], service_radius_miles=5,
        hourly_order_capacity=40)))
    assert (dark["service_radius_miles"], dark["hourly_order_capacity"]) == (5.0, 40)
    walk_in = api.post("/v1/locations", headers=admin, json=location_body("DS-2", ZIP["NYC"], kind="dark_store"))
    assert error_of(walk_in, 422, "invalid_input")["errors"][0]["field"] == "capabilities"


def test_an_order_nobody_began_working_on_is_released_by_the_timers(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, admin: Headers, engine: Engine,
) -> None:
    waiting = created(api.post("/v1/orders", headers=web_channel, json=order_body("1001", {TEE: 2})))
    started = created(api.post("/v1/orders", headers=web_channel, json=order_body("1002", {TEE: 1})))
    act(api, nyc_store, started["fulfillments"][0]["id"], "accept")
    uow, now = UnitOfWork(engine), datetime.now(UTC)
    hold = TimerSettings(store_acceptance=timedelta(days=30), reservation_hold=timedelta(hours=72))

    assert run_timers(uow, now + timedelta(hours=71), hold, LogNotifier()) == TimerRun(0, 0, 0, 0)
    assert run_timers(uow, now + timedelta(hours=73), hold, LogNotifier()) == TimerRun(0, 0, 0, 1)
    assert run_timers(uow, now + timedelta(hours=74), hold, LogNotifier()) == TimerRun(0, 0, 0, 0)

    assert api.get(f"/v1/orders/{waiting['id']}", headers=admin).json()["status"] == "cancelled"
    assert api.get(f"/v1/orders/{started['id']}", headers=admin).json()["status"] == "allocated"
    assert balance(api, admin, TEE, NYC) == {"on_hand": 5, "reserved": 1, "safety_stock": 0, "available": 4}
    with uow.reading() as reader:
        assert [e.type for e in reader.outbox.for_entity(waiting["id"])][-2:] == [
            "order.cancelled", "order.reservation_expired"]
    refused = api.post(f"/v1/fulfillments/{waiting['fulfillments'][0]['id']}/accept", headers=nyc_store)
    assert error_of(refused, 409, "invalid_transition")["current_status"] == "cancelled"
    ledger, balances = ledger_and_balances(engine)
    assert ledger == balances


def test_omnifill_run_timers_runs_them_once_for_cron(
    api: TestClient, network: Network, web_channel: Headers, admin: Headers, database_url: str,
) -> None:
    order = created(api.post("/v1/orders", headers=web_channel, json=order_body("1001", {TEE: 1})))
    env = {"OMNIFILL_DATABASE_URL": database_url, "OMNIFILL_RESERVATION_HOLD_HOURS": "0"}  # due at once

    first = CliRunner().invoke(cli, ["run-timers"], env=env)
    again = CliRunner().invoke(cli, ["run-timers"], env=env)

    counts = ("timers: 0 reminded, 0 pickups expired, 0 re-routed, {} reservations expired, 0 returns expired, "
              "0 webhook deliveries pruned\n")
    assert (first.exit_code, first.output) == (0, counts.format(1))
    assert again.output == counts.format(0)
    assert api.get(f"/v1/orders/{order['id']}", headers=admin).json()["status"] == "cancelled"
