"""Predictive customer lifetime value: BG/NBD (how often, and for how long, each customer keeps buying) and
Gamma-Gamma (how much they spend a purchase), fitted by maximum a posteriori with pymc-marketing, the maintained
successor of `lifetimes`. The library (PyMC, PyTensor) is large and slow to import, so it is imported only when a
fit runs — by `omnifill kpis clv`, never by the API — and is an optional extra: `pip install 'omnifill[clv]'`."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from omnifill.domain.customer_value import Horizon, LifetimeValue, LifetimeValueFit, Rfm
from omnifill.domain.errors import InvalidInput

CENTS = Decimal("0.01")


def fit_lifetime_values(summaries: Sequence[Rfm], horizon: Horizon) -> LifetimeValueFit:
    """Fit both models to the customers' summaries and predict each one's purchases and value over the horizon."""
    repeat = [s for s in summaries if s.frequency > 0 and s.monetary_value > 0]
    if len(repeat) < horizon.min_repeat_customers:
        raise InvalidInput("customers", f"{len(repeat)} customers have bought more than once; the models need "
                                        f"at least {horizon.min_repeat_customers}")
    pandas, clv = _library()
    data = pandas.DataFrame({
        "customer_id": [s.customer_id for s in summaries],
        "frequency": [s.frequency for s in summaries],
        "recency": [s.recency for s in summaries],
        "T": [s.age for s in summaries],
        # Gamma-Gamma weighs a customer's own average by their repeat purchases: with none, it is not used.
        "monetary_value": [float(s.monetary_value) if s.frequency else 0.0 for s in summaries],
    })
    purchases = clv.BetaGeoModel()
    purchases.fit(data[["customer_id", "frequency", "recency", "T"]], method="map", progressbar=False)
    spend = clv.GammaGammaModel()
    spend.fit(data[data.customer_id.isin([s.customer_id for s in repeat])][["customer_id", "frequency",
                                                                           "monetary_value"]],
              method="map", progressbar=False)
    days = horizon.months * 30
    expected = _per_customer(purchases.expected_purchases(data=data, future_t=days))
    alive = _per_customer(purchases.expected_probability_alive(data=data))
    value = _per_customer(spend.expected_customer_lifetime_value(
        transaction_model=purchases, data=data, future_t=horizon.months, discount_rate=horizon.discount_rate,
        time_unit="D"))
    parameters = {name: float(purchases.fit_result[name].mean()) for name in ("r", "alpha", "a", "b")}
    parameters |= {name: float(spend.fit_result[name].mean()) for name in ("p", "q", "v")}
    return LifetimeValueFit(parameters, [
        LifetimeValue(s.customer_id, round(expected[i], 4), round(alive[i], 4),
                      Decimal(str(max(value[i], 0.0))).quantize(CENTS))
        for i, s in enumerate(summaries)])


def _per_customer(prediction: Any) -> list[float]:
    """A MAP fit has one chain of one draw: the prediction per customer, in the data's order."""
    return [float(x) for x in prediction.mean(dim=("chain", "draw")).values]


def _library() -> tuple[Any, Any]:
    # Without a system BLAS, PyTensor says so on every compile; these models are small enough not to need one.
    warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS", category=UserWarning)
    try:
        import pandas
        from pymc_marketing import clv
    except ImportError:  # the optional extra is not installed
        raise InvalidInput("clv", "predictive CLV needs pymc-marketing: pip install 'omnifill[clv]'") from None
    return pandas, clv
