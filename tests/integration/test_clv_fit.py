"""The real BG/NBD + Gamma-Gamma fit (pymc-marketing) on purchases drawn from known parameters, seeded.

Purchases are simulated as the models describe customers: each is acquired on a day of the past year with their
first purchase, then buys again at a Poisson rate λ ~ Gamma(r, α) and, after each repeat purchase, drops out with
probability p ~ Beta(a, b); each purchase's spend is Gamma(6, ν) with ν ~ Gamma(4, 15). The fit runs once for the
module (tens of seconds the first time pytensor compiles, a few after).
"""

from __future__ import annotations

import importlib.util
import math
import random
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from omnifill.adapters.clv import fit_lifetime_values
from omnifill.domain.customer_value import Horizon, LifetimeValueFit, Purchase, Rfm, rfm

# PyMC is imported by the fit, not here: every xdist worker collects this module, and two workers importing
# ArviZ at once on a day's first run race on its once-a-day warning file. The tests share one worker.
if importlib.util.find_spec("pymc_marketing") is None:
    pytest.skip("pymc-marketing is not installed (the clv extra)", allow_module_level=True)
pytestmark = [pytest.mark.model_fit, pytest.mark.xdist_group("clv")]
# Importing PyMC raises the interpreter's recursion limit for good (pymc/sampling/mcmc.py): the fit gives the old
# limit back, or every later test in the worker runs on a different Python (a 5,000-deep JSON body parses).
_RECURSION_LIMIT = sys.getrecursionlimit()

R, ALPHA, A, B = 0.8, 20.0, 0.8, 2.5
OBSERVED = date(2026, 11, 30)


def simulated_purchases(customers: int, seed: int) -> list[Purchase]:
    draw = random.Random(seed)
    found = []
    for n in range(customers):
        rate, drop = draw.gammavariate(R, 1 / ALPHA), draw.betavariate(A, B)
        scale = 1 / draw.gammavariate(4.0, 1 / 15.0)  # the customer's spend: Gamma(6, ν) has mean 6 / ν
        age = draw.randint(60, 365)
        first = datetime.combine(OBSERVED - timedelta(days=age), datetime.min.time(), UTC)
        t, days = 0.0, [0]
        while (t := t + draw.expovariate(rate)) <= age:
            days.append(math.ceil(t))
            if draw.random() < drop:
                break
        found += [Purchase(f"c{n:04}", "web", first + timedelta(days=d),
                           Decimal(str(round(draw.gammavariate(6.0, scale), 2)))) for d in days]
    return found


# Four customers of the same age (300 days) set beside the simulated ones, to compare their predictions.
KNOWN = [
    Rfm("loyal", frequency=12, recency=295, age=300, monetary_value=Decimal("40.00")),
    Rfm("lapsed", frequency=12, recency=60, age=300, monetary_value=Decimal("40.00")),
    Rfm("occasional", frequency=2, recency=290, age=300, monetary_value=Decimal("40.00")),
    Rfm("big_spender", frequency=12, recency=295, age=300, monetary_value=Decimal("400.00")),
]


@pytest.fixture(scope="module")
def fitted() -> LifetimeValueFit:
    summaries = rfm(simulated_purchases(1000, seed=20261130), OBSERVED)
    try:
        found = fit_lifetime_values([*summaries, *KNOWN], Horizon(months=12, discount_rate=0.01))
    finally:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    return found


def test_the_purchase_parameters_are_recovered(fitted: LifetimeValueFit) -> None:
    assert fitted.parameters["r"] == pytest.approx(R, rel=0.3)
    assert fitted.parameters["alpha"] == pytest.approx(ALPHA, rel=0.3)
    assert fitted.parameters["r"] / fitted.parameters["alpha"] == pytest.approx(R / ALPHA, rel=0.2)  # mean rate
    assert 0 < fitted.parameters["a"] / (fitted.parameters["a"] + fitted.parameters["b"]) < 0.5  # mean drop-out


def test_recent_and_frequent_customers_are_expected_to_buy_more(fitted: LifetimeValueFit) -> None:
    by_id = {v.customer_id: v for v in fitted.values}
    loyal, lapsed, occasional = by_id["loyal"], by_id["lapsed"], by_id["occasional"]
    assert loyal.expected_purchases > occasional.expected_purchases > lapsed.expected_purchases
    assert loyal.probability_alive > lapsed.probability_alive
    assert loyal.expected_purchases > 12 * 0.5  # 12 repeat purchases in 300 days, still buying: several a year
    assert by_id["big_spender"].predicted_value > 5 * loyal.predicted_value > 0  # spend weighs in
    assert all(0 <= v.probability_alive <= 1 and v.expected_purchases >= 0 for v in fitted.values)
    assert len(fitted.values) == 1004
