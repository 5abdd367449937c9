"""Shipping and tracking over HTTP: ship with a bought label, print it, follow the parcel to the door."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from omnifill.domain.shipping import is_s10_tracking_number
from tests.e2e.conftest import (
    NYC,
    TEE,
    Headers,
    Keys,
    Network,
    act,
    balance,
    created,
    error_of,
    ledger_and_balances,
    movement_totals,
    order_body,
    row_counts,
)
from tests.labels import barcode_of, pages


def packed(api: TestClient, store: Headers, channel: Headers, external_id: str, units: int, **delivery: str) -> str:
    body = order_body(external_id, {TEE: units})
    body["delivery"] |= delivery
    order = created(api.post("/v1/orders", headers=channel, json=body))
    [work] = order["fulfillments"]
    assert work["location"] == NYC
    for action, payload in (("accept", None), ("pick", {}), ("pack", None)):
        act(api, store, f"/v1/fulfillments/{work['id']}/{action}", payload)
    return str(work["id"])


def test_tracking_to_delivered(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, admin: Headers, keys: Keys,
    engine: Engine,
) -> None:
    promise = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    work = packed(api, nyc_store, web_channel, "1001", 2, promised_by=promise)

    shipped = act(api, nyc_store, f"/v1/fulfillments/{work}/ship")

    shipment = shipped["shipment"]
    assert (shipped["status"], shipped["fulfillments"][0]["status"]) == ("shipped", "shipped")
    assert (shipment["carrier"], shipment["cost"], shipment["status"]) == ("groundline", "7.74", "label_created")
    assert (shipment["promised_by"], shipment["parcels"]) == (promise, [  # the carton chosen at pack, tare and all
        {"weight_kg": "0.650", "length_cm": "23", "width_cm": "17", "height_cm": "10"}])
    assert is_s10_tracking_number(shipment["tracking_number"])
    view = api.get(f"/v1/fulfillments/{work}", headers=nyc_store).json()
    assert (view["carrier"], view["tracking_number"]) == ("groundline", shipment["tracking_number"])
    assert balance(api, nyc_store, TEE, NYC) == {"on_hand": 3, "reserved": 0, "safety_stock": 0, "available": 3}

    label = api.get(shipment["label_url"], headers=nyc_store)
    assert (label.status_code, label.headers["content-type"]) == (200, "application/pdf")
    [(width, height, text)] = pages(label.content)
    assert (width, height) == (288.0, 432.0)
    assert shipment["tracking_number"] in text
    assert "Pat Lee" in text
    assert barcode_of(label.content) == shipment["tracking_number"]

    carrier = keys("carrier:groundline")
    path = f"/v1/shipments/{shipment['id']}/events"
    assert act(api, carrier, path, {"status": "in_transit", "note": "departed the hub"})["status"] == "in_transit"
    assert act(api, carrier, path, {"status": "out_for_delivery"})["status"] == "out_for_delivery"
    delivered = act(api, admin, path, {"status": "delivered"})

    assert (delivered["status"], delivered["on_time"]) == ("delivered", True)
    assert [(e["status"], e["note"], e["actor"]) for e in delivered["events"]] == [
        ("in_transit", "departed the hub", "carrier:groundline"), ("out_for_delivery", None, "carrier:groundline"),
        ("delivered", None, "admin")]
    order = api.get(f"/v1/orders/{shipped['id']}", headers=web_channel).json()
    assert (order["status"], order["fulfillments"][0]["status"]) == ("delivered", "delivered")
    before = row_counts(engine)
    details = error_of(api.post(path, headers=carrier, json={"status": "in_transit"}), 409, "invalid_transition")
    assert details["current_status"] == "delivered"
    assert row_counts(engine) == before
    assert movement_totals(engine)["shipment"] == (1, 2)
    assert balance(api, nyc_store, TEE, NYC) == {"on_hand": 3, "reserved": 0, "safety_stock": 0, "available": 3}
    ledger, balances = ledger_and_balances(engine)
    assert ledger == balances


def test_shipments_are_found_by_order_fulfillment_or_tracking_number_by_whoever_may_see_them(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, keys: Keys,
) -> None:
    work = packed(api, nyc_store, web_channel, "1001", 1)
    boxes = {"parcels": [{"weight_kg": "1", "length_cm": "50", "width_cm": "40", "height_cm": "30.0"}]}
    shipment = act(api, nyc_store, f"/v1/fulfillments/{work}/ship", boxes)["shipment"]
    assert shipment["parcels"] == [{"weight_kg": "1.000", "length_cm": "50", "width_cm": "40", "height_cm": "30"}]
    assert api.get(f"/v1/shipments/{shipment['id']}", headers=nyc_store).json()["parcels"] == shipment["parcels"]

    for params in ({"order": shipment["order_id"]}, {"fulfillment": work},
                   {"tracking_number": shipment["tracking_number"]}):
        found = api.get("/v1/shipments", headers=web_channel, params=params).json()
        assert [s["id"] for s in found["items"]] == [shipment["id"]], params
    assert shipment["cost"] == "15.66"  # the box bills at its 12 kg dimensional weight
    assert api.get("/v1/shipments", headers=keys("carrier:swiftpost"),
                   params={"order": shipment["order_id"]}).json()["items"] == []
    error_of(api.get(f"/v1/shipments/{shipment['id']}", headers=keys("channel:app")), 403, "forbidden")
    error_of(api.get(f"/v1/shipments/{shipment['id']}/label", headers=keys("carrier:swiftpost")), 403, "forbidden")
    error_of(api.get("/v1/shipments/shp_nope", headers=nyc_store), 404, "not_found")
    details = error_of(api.get("/v1/shipments", headers=nyc_store), 422, "invalid_input")
    assert details["errors"][0]["field"] == "order"


def test_bad_tracking_events_and_parcels_are_refused_by_name_and_change_nothing(
    api: TestClient, network: Network, web_channel: Headers, nyc_store: Headers, admin: Headers, keys: Keys,
    engine: Engine,
) -> None:
    work = packed(api, nyc_store, web_channel, "1001", 1)
    refused = error_of(api.post(f"/v1/fulfillments/{work}/ship", headers=nyc_store,
                                json={"parcels": [{"weight_kg": "1", "length_cm": "10"}]}), 422, "invalid_input")
    assert refused["errors"][0]["field"] == "parcels[0].length_cm"
    refused = error_of(api.post(f"/v1/fulfillments/{work}/ship", headers=nyc_store,
                                json={"parcels": [{"weight_kg": "71"}]}), 422, "invalid_input")
    assert refused["errors"][0]["field"] == "parcels[0].weight_kg"
    shipment = act(api, nyc_store, f"/v1/fulfillments/{work}/ship")["shipment"]
    path = f"/v1/shipments/{shipment['id']}/events"
    other_carrier = keys("carrier:swiftpost")
    before = row_counts(engine)

    unknown = error_of(api.post(path, headers=admin, json={"status": "teleported"}), 422, "invalid_input")
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    early = error_of(api.post(path, headers=admin, json={"status": "in_transit", "at": future}), 422,
                     "invalid_input")
    error_of(api.post(path, headers=nyc_store, json={"status": "in_transit"}), 403, "forbidden")
    error_of(api.post(path, headers=other_carrier, json={"status": "in_transit"}), 403, "forbidden")
    error_of(api.post(f"/v1/fulfillments/{work}/ship", headers=nyc_store), 409, "invalid_transition")

    assert [unknown["errors"][0]["field"], early["errors"][0]["field"]] == ["status", "at"]
    assert row_counts(engine) == before
