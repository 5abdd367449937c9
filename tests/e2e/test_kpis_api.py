"""GET /v1/kpis over HTTP: JSON and CSV for a delivered order and a pickup, the 422s naming each parameter, and who
may read what."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from omnifill.entrypoints.cli import app as cli
from tests.e2e.conftest import CHI, NYC, TEE, Headers, Network, act, created, error_of, order_body


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def kpis(api: TestClient, headers: Headers, **params: Any) -> Any:
    return api.get("/v1/kpis", headers=headers, params={"from": today(), "to": today(), **params})


def deliver_and_collect(api: TestClient, web: Headers, admin: Headers) -> str:
    """A web order shipped from wherever routing sent it and delivered; a pickup in New York handed over. Where
    the shipped order went from."""
    shipped = created(api.post("/v1/orders", headers=web, json=order_body("1", {TEE: 1})))
    work = shipped["fulfillments"][0]["id"]
    for action, payload in (("accept", None), ("pick", {}), ("pack", None)):
        act(api, admin, f"/v1/fulfillments/{work}/{action}", payload)
    shipment = act(api, admin, f"/v1/fulfillments/{work}/ship")["shipment"]
    act(api, admin, f"/v1/shipments/{shipment['id']}/events", {"status": "delivered"})
    pickup = created(api.post("/v1/orders", headers=web, json=order_body("2", {TEE: 1}, pickup=NYC)))
    work = pickup["fulfillments"][0]["id"]
    for action in ("accept", "pick", "ready"):
        act(api, admin, f"/v1/fulfillments/{work}/{action}", {} if action == "pick" else None)
    code = api.get(f"/v1/fulfillments/{work}", headers=admin).json()["pickup_code"]
    act(api, admin, f"/v1/fulfillments/{work}/handoff", {"pickup_code": code})
    return str(shipped["fulfillments"][0]["location"])


def test_kpis_as_json_and_as_csv(api: TestClient, network: Network, web_channel: Headers, admin: Headers,
                                 operator: Headers) -> None:
    deliver_and_collect(api, web_channel, admin)

    found = kpis(api, operator, group_by="fulfillment_method")

    assert found.status_code == 200, found.text
    body = found.json()
    assert (body["from"], body["to"], body["group_by"], body["location"]) == (today(), today(),
                                                                              "fulfillment_method", None)
    assert body["totals"]["orders"] == 2
    assert body["totals"]["perfect_order_rate"] == 1.0  # both complete, neither promised a date, nothing back
    assert body["totals"]["line_fill_rate"] == 1.0
    assert body["totals"]["cost_per_order_bopis"] == 4.1  # a store's handling: 3.25 + 0.85 for one unit
    methods = {g["key"]: g["kpis"]["orders"] for g in body["groups"]}
    assert methods["bopis"] == 1
    assert sum(methods.values()) == 2
    assert set(body["groups"][0]["kpis"]) == set(body["totals"])

    as_csv = kpis(api, admin, group_by="channel", format="csv")

    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0] == ["channel", *body["totals"]]
    assert [r[0] for r in rows[1:]] == ["web", "total"]
    assert rows[1][1:3] == ["2", "1.0"]  # orders, perfect order rate
    assert rows[2][1:3] == ["2", "1.0"]
    units_sold = rows[0].index("units_sold")
    assert (rows[1][units_sold], rows[2][units_sold]) == ("", "2")  # stock has no channel: empty in the row


def test_bad_parameters_are_422s_naming_the_parameter(api: TestClient, admin: Headers) -> None:
    day = today()
    for params, field in (
        ({"from": "yesterday", "to": day, "group_by": "day"}, "from"),
        ({"from": day, "to": "2026-02-30", "group_by": "day"}, "to"),
        ({"from": day, "to": day, "group_by": "sku"}, "group_by"),
        ({"from": day, "to": day, "group_by": "day", "format": "xml"}, "format"),
        ({"to": day, "group_by": "day"}, "from"),
        ({"from": day, "to": "2000-01-01", "group_by": "day"}, "to"),
        ({"from": "2025-01-01", "to": "2026-01-02", "group_by": "day"}, "to"),  # 367 days
        ({"from": day, "to": day, "group_by": "day", "location": "NOWHERE"}, "location"),
    ):
        refused = api.get("/v1/kpis", headers=admin, params=params)
        assert error_of(refused, 422, "invalid_input")["errors"][0]["field"] == field, params


def test_who_may_read_kpis(api: TestClient, network: Network, web_channel: Headers, admin: Headers,
                           nyc_store: Headers) -> None:
    shipped_from = deliver_and_collect(api, web_channel, admin)

    error_of(kpis(api, web_channel, group_by="day"), 403, "forbidden")
    error_of(kpis(api, nyc_store, group_by="day", location=CHI), 403, "forbidden")
    own = kpis(api, nyc_store, group_by="location")
    assert own.status_code == 200, own.text
    assert own.json()["location"] == NYC
    assert [g["key"] for g in own.json()["groups"]] == [NYC]
    assert own.json()["totals"]["orders"] == (2 if shipped_from == NYC else 1)  # the pickup, and the other?
    stock = api.get("/v1/kpis/stock", headers=nyc_store, params={"from": today(), "to": today()})
    assert stock.status_code == 200, stock.text
    assert {(i["sku"], i["location"]) for i in stock.json()["items"]} <= {(TEE, NYC), ("MUG-WHT", NYC)}
    error_of(api.get("/v1/kpis/stock", headers=web_channel,
                     params={"from": today(), "to": (datetime.now(UTC) + timedelta(days=1)).date().isoformat()}),
             403, "forbidden")


def test_customer_value_over_http(api: TestClient, network: Network, web_channel: Headers, admin: Headers,
                                  nyc_store: Headers) -> None:
    deliver_and_collect(api, web_channel, admin)

    found = api.get("/v1/kpis/customers", headers=admin)

    assert found.status_code == 200, found.text
    body = found.json()
    assert body["run"] is None  # `omnifill kpis clv` has not run
    [pat] = body["items"]
    assert (pat["channels"], pat["orders"], pat["cross_channel"], pat["predicted_value"]) == (["web"], 2, False, None)
    assert body["comparison"]["single_channel"]["customers"] == 1
    assert body["comparison"]["single_channel"]["average_historical_margin"] == pat["historical_margin"]
    assert body["comparison"]["cross_channel"] == {"customers": 0, "average_historical_margin": None,
                                                   "average_predicted_value": None}
    error_of(api.get("/v1/kpis/customers", headers=nyc_store), 403, "forbidden")
    refused = api.get("/v1/kpis/customers", headers=admin, params={"limit": 0})
    assert error_of(refused, 422, "invalid_input")["errors"][0]["field"] == "limit"


def test_the_clv_job_refuses_a_history_too_short_to_fit(api: TestClient, network: Network, web_channel: Headers,
                                                        admin: Headers, database_url: str) -> None:
    deliver_and_collect(api, web_channel, admin)

    result = CliRunner().invoke(cli, ["kpis", "clv"], env={"OMNIFILL_DATABASE_URL": database_url})

    assert result.exit_code == 2, result.output
    assert "0 customers have bought more than once; the models need at least 10" in result.output
    assert api.get("/v1/kpis/customers", headers=admin).json()["run"] is None
