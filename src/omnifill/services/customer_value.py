"""Customers' value: the margin each brought across every channel (orders and till sales), the predicted lifetime
value the `omnifill kpis clv` job fits, and cross-channel customers against single-channel ones (docs/KPIS.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from omnifill.adapters.ids import new_id
from omnifill.adapters.sql.lifetime_value_repository import LifetimeValueRun
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Permission, Principal
from omnifill.domain.costs import CostModel
from omnifill.domain.customer_value import (
    CustomerHistory,
    Horizon,
    LifetimeValue,
    LifetimeValueFit,
    Purchase,
    Rfm,
    average,
    cross_channel_comparison,
    historical_value,
    rfm,
)
from omnifill.domain.events import DomainEvent
from omnifill.services.kpis import costed
from omnifill.services.routing import default_cost_model

Fitter = Callable[[Sequence[Rfm], Horizon], LifetimeValueFit]
DEFAULT_HORIZON = Horizon()


def purchases(uow: UnitOfWork, cost_model: CostModel) -> list[Purchase]:
    """Every order (not cancelled) and till sale of a known customer, valued; read in one transaction."""
    with uow.reading() as reader:
        records = reader.kpis.orders(None, None)
        till = reader.kpis.till_purchases()
    orders = [Purchase(o.customer_id, o.channel, o.placed_at, o.revenue, o.cost_of_goods, o.fulfillment_cost,
                       o.refunded)
              for o in costed(records, cost_model) if o.customer_id is not None and not o.cancelled]
    return orders + till


def compute_lifetime_values(uow: UnitOfWork, fit: Fitter, now: datetime, horizon: Horizon = DEFAULT_HORIZON,
                            cost_model: CostModel | None = None) -> LifetimeValueRun:
    """Fit the models on every customer's history to `now` and keep the predictions, replacing the last run. The
    fit (tens of seconds) runs outside any transaction; the write is one."""
    summaries = rfm(purchases(uow, cost_model or default_cost_model()), now.date())
    fitted = fit(summaries, horizon)
    run_id = new_id("clv")
    with uow:
        uow.lifetime_values.replace(run_id, horizon, summaries, fitted, now)
        uow.outbox.add([DomainEvent("customer.lifetime_values_computed", "lifetime_value_run", run_id,
                                    {"customers": len(fitted.values), "parameters": fitted.parameters,
                                     "horizon_months": horizon.months}, now)])
        run = uow.lifetime_values.latest_run()
        uow.commit()
    assert run is not None
    return run


@dataclass(frozen=True, slots=True)
class CustomerValue:
    history: CustomerHistory
    predicted: LifetimeValue | None  # None until the job has run, or for a customer newer than its run


@dataclass(frozen=True, slots=True)
class CustomerValueReport:
    customers: list[CustomerValue]  # the most valuable first
    counts: dict[str, int]  # customers per group: cross_channel, single_channel
    historical_margin: dict[str, Decimal | None]  # average per customer of each group
    predicted_value: dict[str, Decimal | None]
    run: LifetimeValueRun | None


def customer_values(uow: UnitOfWork, principal: Principal, limit: int,
                    cost_model: CostModel | None = None) -> CustomerValueReport:
    principal.require(Permission.CUSTOMERS_READ)
    histories = historical_value(purchases(uow, cost_model or default_cost_model()))
    with uow.reading() as reader:
        predicted = reader.lifetime_values.values()
        run = reader.lifetime_values.latest_run()
    found = [CustomerValue(h, predicted.get(h.customer_id)) for h in histories.values()]
    predicted_by_group = {
        name: average(c.predicted.predicted_value for c in found
                      if c.predicted is not None and c.history.cross_channel == (name == "cross_channel"))
        for name in ("cross_channel", "single_channel")}
    counts = {"cross_channel": sum(1 for h in histories.values() if h.cross_channel)}
    counts["single_channel"] = len(histories) - counts["cross_channel"]
    found.sort(key=lambda c: (-c.history.margin, c.history.customer_id))
    return CustomerValueReport(found[:limit], counts, cross_channel_comparison(histories.values()),
                               predicted_by_group, run)
