"""Predicted customer lifetime values: each run of the job replaces the last one whole."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from omnifill.adapters.sql.tables import customer_lifetime_values, lifetime_value_runs
from omnifill.domain.customer_value import Horizon, LifetimeValue, LifetimeValueFit, Rfm

_clv, _runs = customer_lifetime_values, lifetime_value_runs


@dataclass(frozen=True, slots=True)
class LifetimeValueRun:
    id: str
    computed_at: datetime
    horizon: Horizon
    customers: int
    parameters: dict[str, float]


class LifetimeValueRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def replace(self, run_id: str, horizon: Horizon, summaries: list[Rfm], fit: LifetimeValueFit,
                now: datetime) -> None:
        """The new run and its predictions, in place of every earlier one."""
        self._c.execute(delete(_clv))
        self._c.execute(delete(_runs))
        self._c.execute(insert(_runs).values(id=run_id, computed_at=now, horizon_months=horizon.months,
                                             discount_rate=horizon.discount_rate, customers=len(fit.values),
                                             parameters=fit.parameters))
        by_customer = {s.customer_id: s for s in summaries}
        if fit.values:
            self._c.execute(insert(_clv), [_row(run_id, by_customer[v.customer_id], v) for v in fit.values])

    def latest_run(self) -> LifetimeValueRun | None:
        row = self._c.execute(select(_runs).order_by(_runs.c.computed_at.desc()).limit(1)).mappings().first()
        if row is None:
            return None
        return LifetimeValueRun(row["id"], row["computed_at"],
                                Horizon(row["horizon_months"], row["discount_rate"]), row["customers"],
                                dict(row["parameters"]))

    def values(self) -> dict[str, LifetimeValue]:
        return {row.customer_id: LifetimeValue(row.customer_id, row.expected_purchases, row.probability_alive,
                                               row.predicted_value)
                for row in self._c.execute(select(_clv))}


def _row(run_id: str, summary: Rfm, value: LifetimeValue) -> dict[str, Any]:
    return {"customer_id": value.customer_id, "run_id": run_id, "frequency": summary.frequency,
            "recency_days": summary.recency, "age_days": summary.age, "monetary_value": summary.monetary_value,
            "expected_purchases": value.expected_purchases, "probability_alive": value.probability_alive,
            "predicted_value": value.predicted_value}
