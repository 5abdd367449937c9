"""The one sentence that says why a routing decision went the way it did, from stored decision records."""

from __future__ import annotations

from typing import Any

from omnifill.domain.routing.explanation import why_this_plan


def candidate(location: str, verdict: str, total: float | None, supply: dict[str, int] | None = None,
              reason: str = "") -> dict[str, Any]:
    return {"location": location, "kind": "store", "verdict": verdict, "reason": reason, "distance_miles": 1.0,
            "supply": [{"sku": s, "quantity": n} for s, n in (supply or {}).items()],
            "cost": {"shipping": total, "handling": 0.0, "capacity": 0.0, "opportunity": 0.0, "total": total}
            if total is not None else None}


def record(packages: dict[str, dict[str, int]], candidates: list[dict[str, Any]], total: float,
           split_penalty: float = 0.0, unfilled: dict[str, int] | None = None, **more: Any) -> dict[str, Any]:
    return {"delivery_method": "ship", "total_cost": total, "split_penalty": split_penalty,
            "packages": [{"location": loc, "lines": [{"sku": s, "quantity": n} for s, n in lines.items()]}
                         for loc, lines in packages.items()],
            "unfilled": [{"sku": s, "quantity": n} for s, n in (unfilled or {}).items()],
            "candidates": candidates, **more}


def test_the_winner_is_compared_with_the_next_location_that_could_ship_it_all() -> None:
    explained = record({"NYC": {"TEE": 1, "MUG": 1}}, [
        candidate("NYC", "chosen", 13.55, {"TEE": 1, "MUG": 1}),
        candidate("PHL", "considered", 13.25, {"TEE": 1}),  # cheaper, but only part of the order
        candidate("CHI", "considered", 13.75, {"TEE": 1, "MUG": 1}),
        candidate("LAX", "filtered", None, reason="does not ship"),
    ], 13.55)
    assert why_this_plan("initial", explained) == (
        "NYC won with the cheapest total of the 2 locations that can ship the whole order: 13.55, against 13.75 "
        "from CHI, the next cheapest. 1 more holds only part of it. 1 location was filtered out before pricing "
        "(reasons in the table).")


def test_a_split_says_what_it_beat_and_its_penalty() -> None:
    explained = record({"NYC": {"TEE": 1}, "PHL": {"MUG": 1}}, [
        candidate("NYC", "chosen", 6.0, {"TEE": 1}), candidate("PHL", "chosen", 6.0, {"MUG": 1}),
    ], 14.0, split_penalty=2.0)
    assert why_this_plan("initial", explained) == (
        "Split between NYC and PHL: 14.00 in all, a split penalty of 2.00 included; no single location holds the "
        "whole order.")


def test_a_reroute_names_who_let_the_order_down_and_what_waits() -> None:
    explained = record({"CHI": {"TEE": 1}}, [candidate("CHI", "chosen", 9.0, {"TEE": 1}),
                                             candidate("NYC", "filtered", None)],
                       9.0, unfilled={"TEE": 2}, reason="damaged", failed_at="NYC")
    assert why_this_plan("reroute", explained) == (
        "Re-routed because NYC let it down (damaged). CHI won as the only location that can ship the whole order, "
        "at 9.00 in all. 1 location was filtered out before pricing (reasons in the table). Not placed anywhere: "
        "2 units wait on the backorder queue.")


def test_a_pickup_nobody_could_fill_and_a_wave() -> None:
    pickup = {"reason": "not_found", "failed_at": "NYC", "candidates": [], "packages": [],
              "note": "a pickup order is not moved to another store", "unfilled": [{"sku": "TEE", "quantity": 1}]}
    assert why_this_plan("reroute", pickup) == (
        "Re-routed because NYC let it down (not_found). Nothing was moved: a pickup order is not moved to another "
        "store; 1 unit waits on the backorder queue.")
    wave = {"wave": "wave_1", "cost_before": 20.0, "cost_after": 15.5, "packages": []}
    assert why_this_plan("wave", wave) == (
        "Wave wave_1 planned waiting orders together and moved this one: 20.00 before, 15.50 after.")
