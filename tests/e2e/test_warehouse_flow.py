"""Ship from a warehouse over HTTP: bins and put-away, a pick wave in walking order, carton choice, shipping;
every unit accounted for in the ledger, and the bins emptied by the picks."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from tests.e2e.conftest import (
    CHI,
    MUG,
    NYC,
    TEE,
    Headers,
    Keys,
    Network,
    balance,
    created,
    error_of,
    ledger_and_balances,
    movement_body,
    movement_totals,
    order_body,
    row_counts,
    sku_body,
)
from tests.e2e.test_fulfillment_flow import act
from tests.factories import ZIP

KETTLE = "KET-STL"
BINS = [("A-01-01", "A", 1, 1), ("A-01-08", "A", 1, 8), ("A-02-03", "A", 2, 3), ("A-02-06", "A", 2, 6)]
PUT_AWAY = [("A-02-06", TEE, 12), ("A-01-01", TEE, 3), ("A-02-03", KETTLE, 4), ("A-01-08", MUG, 2)]


def set_up_the_warehouse(api: TestClient, admin: Headers) -> None:
    """A kettle with dimensions received at Chicago; four bins there and stock put away in them."""
    kettle = created(api.post("/v1/skus", headers=admin, json=sku_body(
        KETTLE, weight_kg="1.800", dimensions_cm={"length": "25", "width": "20", "height": "25"})))
    assert kettle["dimensions_cm"] == {"length": "25.0", "width": "20.0", "height": "25.0"}
    created(api.post("/v1/inventory/movements", headers=admin, json=movement_body(KETTLE, CHI, "receipt", 4)))
    for code, zone, aisle, shelf in BINS:
        created(api.post(f"/v1/locations/{CHI}/bins", headers=admin,
                         json={"code": code, "zone": zone, "aisle": aisle, "shelf": shelf}))
    for bin_code, sku, units in PUT_AWAY:
        created(api.post(f"/v1/locations/{CHI}/bins/{bin_code}/stock", headers=admin,
                         json={"sku": sku, "quantity": units}))


def place_three_orders(api: TestClient, headers: Headers) -> list[dict[str, Any]]:
    """Three orders to Chicago, each routed to the Chicago warehouse."""
    orders = [
        created(api.post("/v1/orders", headers=headers, json=order_body(external_id, lines, zip_code=ZIP["CHI"])))
        for external_id, lines in (("W-1", {TEE: 2, MUG: 1}), ("W-2", {TEE: 3, KETTLE: 1}), ("W-3", {MUG: 2}))
    ]
    assert [[f["location"] for f in o["fulfillments"]] for o in orders] == [[CHI], [CHI], [CHI]]
    return orders


def test_ship_from_the_warehouse_with_a_wave_and_cartons(
    api: TestClient, network: Network, admin: Headers, operator: Headers, engine: Engine,
) -> None:
    # given: stock in bins at the Chicago warehouse, and three accepted orders there
    set_up_the_warehouse(api, admin)
    orders = place_three_orders(api, admin)
    work = [o["fulfillments"][0]["id"] for o in orders]
    for fulfillment_id in work:
        act(api, operator, fulfillment_id, "accept")

    # when: the warehouse starts a wave
    wave = created(api.post(f"/v1/locations/{CHI}/waves", headers=operator, json={}))

    # then: one walk, aisle 1 up and aisle 2 down, TEE from its fullest bin; one mug is in no bin
    assert wave["walk"]["method"] == "serpentine"
    assert [(line["bin"], line["sku"], line["quantity"]) for line in wave["pick_list"]] == [
        ("A-01-08", MUG, 2), ("A-02-06", TEE, 5), ("A-02-03", KETTLE, 1),
    ]
    assert wave["unassigned"] == [{"sku": MUG, "quantity": 1}]
    assert [(s["order_id"], [(ln["sku"], ln["quantity"]) for ln in s["lines"]]) for s in wave["sort"]] == [
        (orders[0]["id"], [(MUG, 1), (TEE, 2)]), (orders[1]["id"], [(KETTLE, 1), (TEE, 3)]),
        (orders[2]["id"], [(MUG, 2)]),
    ]
    assert api.get(f"/v1/locations/{CHI}/waves/{wave['id']}", headers=operator).json() == wave
    statuses = {f["id"]: f["status"] for f in api.get("/v1/fulfillments", headers=operator,
                                                      params={"location": CHI}).json()["items"]}
    assert statuses == dict.fromkeys(work, "picking")
    # and: the work is taken: a second wave finds none, and accepting again is refused naming the state
    before = row_counts(engine)
    error_of(api.post(f"/v1/locations/{CHI}/waves", headers=operator), 409, "no_work_waiting")
    details = error_of(api.post(f"/v1/fulfillments/{work[0]}/accept", headers=operator), 409, "invalid_transition")
    assert details["current_status"] == "picking"
    assert row_counts(engine) == before

    # when: each pick is confirmed (all found), packed and shipped
    for fulfillment_id in work:
        act(api, operator, fulfillment_id, "pick", {})
    stock = api.get(f"/v1/locations/{CHI}/bin-stock", headers=operator).json()
    assert [(p["bin"], p["sku"], p["quantity"]) for p in stock] == [
        ("A-01-01", TEE, 3), ("A-02-03", KETTLE, 3), ("A-02-06", TEE, 7),  # the mugs' bin is empty now
    ]
    for fulfillment_id in work:
        act(api, operator, fulfillment_id, "pack")
    cartons = [api.get(f"/v1/fulfillments/{f}", headers=operator).json()["cartons"] for f in work]
    for fulfillment_id in work:
        act(api, operator, fulfillment_id, "ship")

    # then: the smallest carton that holds each order (volume from dimensions, or estimated from weight)
    assert [[(c["carton"], c["weight_kg"], c["lines"]) for c in found] for found in cartons] == [
        [("M", "1.050", [{"sku": MUG, "quantity": 1}, {"sku": TEE, "quantity": 2}])],
        [("L", "3.100", [{"sku": KETTLE, "quantity": 1}, {"sku": TEE, "quantity": 3}])],
        [("S", "0.650", [{"sku": MUG, "quantity": 2}])],
    ]
    assert cartons[2][0]["dimensions_cm"] == ["23.0", "17.0", "10.0"]
    with UnitOfWork(engine).reading() as reader:
        packed = [e for e in reader.outbox.for_entity(work[1]) if e.type == "fulfillment.packed"]
    assert [c["carton"] for c in packed[0].payload["cartons"]] == ["L"]
    # and: every unit left the shelf through a shipment, and the ledger replays into the balances
    assert movement_totals(engine)["shipment"] == (5, 9)
    assert balance(api, admin, TEE, CHI) == {"on_hand": 15, "reserved": 0, "safety_stock": 0, "available": 15}
    assert balance(api, admin, MUG, CHI) == {"on_hand": 7, "reserved": 0, "safety_stock": 0, "available": 7}
    assert balance(api, admin, KETTLE, CHI) == {"on_hand": 3, "reserved": 0, "safety_stock": 0, "available": 3}
    ledger, balances = ledger_and_balances(engine)
    assert ledger == balances
    details = error_of(api.post(f"/v1/fulfillments/{work[0]}/pack", headers=operator), 409, "invalid_transition")
    assert details["current_status"] == "shipped"


def test_a_location_with_a_layout_walks_the_shortest_path(
    api: TestClient, network: Network, admin: Headers, operator: Headers,
) -> None:
    set_up_the_warehouse(api, admin)
    # the bench in a corner; aisle 1 at x = 0 and aisle 2 at x = 10, joined at the front (y = 0) and back (y = 10)
    floor = {
        "start": "BENCH",
        "points": {"BENCH": [0, 0], "F2": [10, 0], "B1": [0, 10], "B2": [10, 10], "A1-1": [0, 1], "A1-8": [0, 8],
                   "A2-3": [10, 3], "A2-6": [10, 6]},
        "paths": [["BENCH", "A1-1"], ["A1-1", "A1-8"], ["A1-8", "B1"], ["B1", "B2"], ["B2", "A2-6"],
                  ["A2-6", "A2-3"], ["A2-3", "F2"], ["F2", "BENCH"]],
        "bins": {"A-01-01": "A1-1", "A-01-08": "A1-8", "A-02-03": "A2-3", "A-02-06": "A2-6"},
    }
    response = api.put(f"/v1/locations/{CHI}/layout", headers=admin, json=floor)
    assert response.status_code == 200, response.text
    for order in place_three_orders(api, admin):
        act(api, operator, order["fulfillments"][0]["id"], "accept")

    wave = created(api.post(f"/v1/locations/{CHI}/waves", headers=operator, json={"max_orders": 2}))

    assert wave["walk"] == {"method": "shortest_path", "metres": 40.0, "serpentine_metres": 40.0, "note": None}
    assert len(wave["fulfillments"]) == 2
    stops = [line["bin"] for line in wave["pick_list"]]
    assert stops in (["A-01-08", "A-02-06", "A-02-03"], ["A-02-03", "A-02-06", "A-01-08"])  # the loop either way


def test_put_away_refuses_what_is_not_there_naming_the_field(
    api: TestClient, network: Network, admin: Headers, keys: Keys, engine: Engine,
) -> None:
    created(api.post(f"/v1/locations/{CHI}/bins", headers=admin,
                     json={"code": "A-01-01", "zone": "A", "aisle": 1, "shelf": 1}))
    created(api.post(f"/v1/locations/{CHI}/bins/A-01-01/stock", headers=admin, json={"sku": TEE, "quantity": 15}))
    new_york = keys(f"store:{NYC}")
    before = row_counts(engine)

    too_many = api.post(f"/v1/locations/{CHI}/bins/A-01-01/stock", headers=admin, json={"sku": TEE, "quantity": 6})
    assert error_of(too_many, 422, "invalid_input")["errors"] == [
        {"field": "quantity", "problem": f"only 5 of {TEE} at {CHI} are on hand and in no bin"}]
    unknown_sku = api.post(f"/v1/locations/{CHI}/bins/A-01-01/stock", headers=admin,
                           json={"sku": "NOPE", "quantity": 1})
    assert error_of(unknown_sku, 422, "invalid_input")["errors"][0]["field"] == "sku"
    error_of(api.post(f"/v1/locations/{CHI}/bins/Z-99/stock", headers=admin, json={"sku": TEE, "quantity": 1}),
             404, "not_found")
    error_of(api.post("/v1/locations/NOWHERE/bins", headers=admin,
                      json={"code": "A", "zone": "A", "aisle": 1, "shelf": 1}), 404, "not_found")
    error_of(api.post(f"/v1/locations/{CHI}/bins", headers=admin,
                      json={"code": "A-01-01", "zone": "A", "aisle": 1, "shelf": 1}), 409, "already_exists")
    error_of(api.post(f"/v1/locations/{CHI}/bins", headers=new_york,
                      json={"code": "X", "zone": "A", "aisle": 1, "shelf": 1}), 403, "forbidden")
    error_of(api.get(f"/v1/locations/{CHI}/bin-stock", headers=new_york), 403, "forbidden")
    error_of(api.post(f"/v1/locations/{CHI}/waves", headers=new_york), 403, "forbidden")
    assert row_counts(engine) == before
    assert api.get(f"/v1/locations/{CHI}/bins/A-01-01", headers=admin).json() == {
        "code": "A-01-01", "zone": "A", "aisle": 1, "shelf": 1, "stock": [{"sku": TEE, "quantity": 15}]}
    half = api.post("/v1/skus", headers=admin, json=sku_body("HALF", dimensions_cm={"length": "10", "width": "5"}))
    assert error_of(half, 422, "invalid_input")["errors"] == [
        {"field": "dimensions_cm.height", "problem": "Field required"}]
    # the ledger does not move with a placement
    assert balance(api, admin, TEE, CHI) == {"on_hand": 20, "reserved": 0, "safety_stock": 0, "available": 20}
