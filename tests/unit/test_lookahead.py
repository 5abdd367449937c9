"""The look-ahead LP: opportunity costs of stock are the transportation LP's dual prices, checked by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from omnifill.adapters.highs import opportunity_costs
from omnifill.domain.costs import LinearTerms
from omnifill.domain.errors import InvalidInput
from omnifill.domain.routing.lookahead import TransportationProblem, amortized_unit_cost, expected_demand

# Two locations, two regions. A is cheap for both regions but holds one unit; B holds plenty.
LANES = {("A", "east"): 1.0, ("A", "west"): 2.0, ("B", "east"): 4.0, ("B", "west"): 3.0}


def test_a_binding_stock_row_is_worth_what_one_more_unit_there_saves() -> None:
    # Given east wants 2 and west 1: A's unit goes east (1), B sends the second east unit (4) and west's (3).
    problem = TransportationProblem({("s", "A"): 1, ("s", "B"): 10}, {("s", "east"): 2, ("s", "west"): 1}, LANES,
                                    {"s": 100.0})
    # When priced, then one more unit at A would replace B's east unit: 4 - 1 = 3; B's stock is not binding.
    assert opportunity_costs(problem) == {("s", "A"): 3.0, ("s", "B"): 0.0}


def test_when_stock_runs_short_a_unit_is_worth_the_lost_sale_it_avoids() -> None:
    problem = TransportationProblem({("s", "A"): 1}, {("s", "east"): 2}, LANES, {"s": 10.0})
    assert opportunity_costs(problem) == {("s", "A"): 9.0}


def test_stock_on_a_lane_that_does_not_exist_is_worth_nothing() -> None:
    problem = TransportationProblem({("s", "A"): 1}, {("s", "north"): 5}, LANES, {"s": 10.0})
    assert opportunity_costs(problem) == {("s", "A"): 0.0}


def test_keeping_only_the_cheapest_lane_prices_stock_against_the_lost_sale() -> None:
    problem = TransportationProblem({("s", "A"): 1, ("s", "B"): 10}, {("s", "east"): 2}, LANES, {"s": 100.0})
    assert opportunity_costs(problem) == {("s", "A"): 3.0, ("s", "B"): 0.0}
    # With one lane per demand, east cannot reach B: its second unit is lost (100) instead of sent from B.
    assert opportunity_costs(problem, sources_per_demand=1) == {("s", "A"): 99.0, ("s", "B"): 0.0}


def test_skus_are_priced_separately() -> None:
    problem = TransportationProblem({("s", "A"): 1, ("t", "A"): 5}, {("s", "east"): 2, ("t", "east"): 1}, LANES,
                                    {"s": 10.0, "t": 10.0})
    assert opportunity_costs(problem) == {("s", "A"): 9.0, ("t", "A"): 0.0}


def test_without_demand_stock_is_worth_nothing() -> None:
    problem = TransportationProblem({("s", "A"): 1}, {}, LANES, {})
    assert opportunity_costs(problem) == {("s", "A"): 0.0}


def test_expected_demand_scales_the_history_to_the_horizon() -> None:
    history = [("east", {"s": 2}), ("east", {"s": 1, "t": 1}), ("west", {"s": 1})]
    found = expected_demand(history, observed=timedelta(hours=2), horizon=timedelta(hours=6))
    assert found == {("s", "east"): 9.0, ("t", "east"): 3.0, ("s", "west"): 3.0}


def test_an_empty_window_of_history_is_refused() -> None:
    with pytest.raises(InvalidInput):
        expected_demand([], observed=timedelta(0), horizon=timedelta(hours=1))


def test_a_unit_carries_its_share_of_the_package_cost() -> None:
    # 0.5 per unit + 1.0 per kg × 2 kg + 6.0 per package shared by 3 units
    assert amortized_unit_cost(LinearTerms(6.0, 0.5, 1.0), weight_kg=2.0, units_per_package=3) == 4.5
    assert amortized_unit_cost(LinearTerms(6.0, 0.5, 1.0), weight_kg=2.0, units_per_package=float("inf")) == 2.5


def test_demand_without_a_lost_sale_cost_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        TransportationProblem({("s", "A"): 1}, {("s", "east"): 1}, LANES, {})
    assert refused.value.field == "lost_sale"


def test_negative_stock_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        TransportationProblem({("s", "A"): -1}, {}, LANES, {})
    assert refused.value.field == "stock"
