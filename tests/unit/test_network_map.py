"""The network map's data, without a database: load against capacity, markers by kind and state, and an outline of
the country drawn from ZIP codes (nothing from the internet)."""

from __future__ import annotations

import dataclasses

from omnifill.adapters.geography import postal_silhouette
from omnifill.domain.locations import Capability, GeoPoint, Location, LocationKind
from omnifill.entrypoints.console.network_pages import load_text, network_map
from omnifill.services.network_load import LocationLoad

STORE = Location("ST-1", "Store one", LocationKind.STORE, GeoPoint(40.75, -73.99), "10001", "US",
                 "America/New_York", frozenset({Capability.SHIP}), daily_order_capacity=40)


def test_utilization_is_todays_fulfillments_over_the_daily_capacity() -> None:
    assert LocationLoad(STORE, 10).utilization == 0.25
    assert load_text(LocationLoad(STORE, 10)) == "10 / 40"
    unlimited = dataclasses.replace(STORE, daily_order_capacity=None)
    assert LocationLoad(unlimited, 0).utilization is None
    assert load_text(LocationLoad(unlimited, 0)) == "no limit"
    closed = dataclasses.replace(STORE, daily_order_capacity=0)
    assert LocationLoad(closed, 0).utilization == 1.0  # a capacity of nothing is full


def test_the_map_colours_limited_locations_and_greys_the_rest_with_switched_off_ones_hollow() -> None:
    warehouse = dataclasses.replace(STORE, code="WH-1", kind=LocationKind.WAREHOUSE, daily_order_capacity=None,
                                    fulfillment_enabled=False)
    full = dataclasses.replace(STORE, code="ST-2")
    outline, limited, unlimited = network_map(
        [LocationLoad(STORE, 10), LocationLoad(full, 55), LocationLoad(warehouse, 0)])["data"]
    assert limited["customdata"] == ["ST-1", "ST-2"]
    assert limited["marker"]["color"] == [0.25, 1.0]  # over capacity (a wave moved work in) is shown as full
    assert limited["marker"]["symbol"] == ["circle", "circle"]
    assert (unlimited["customdata"], unlimited["marker"]["symbol"]) == (["WH-1"], ["square-open"])
    assert all(trace["type"] == "scatter" for trace in (outline, limited, unlimited))  # no geo or mapbox trace


def test_the_outline_is_an_even_sample_of_the_lower_48s_zip_codes() -> None:
    longitudes, latitudes = postal_silhouette()
    assert 3_000 <= len(longitudes) == len(latitudes) < 3_500  # every n-th, n = ZIP codes ÷ 3,000 rounded down
    assert all(-125 <= x <= -66 for x in longitudes)
    assert all(24 <= y <= 50 for y in latitudes)
