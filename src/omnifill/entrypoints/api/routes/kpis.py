"""KPIs over a period, as JSON or CSV: `GET /v1/kpis`, stock per SKU and location, customers' value."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from omnifill.domain.kpi_report import KpiGroupBy, Value
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.schemas import Limit
from omnifill.services import customer_value, kpis

router = APIRouter(prefix="/v1/kpis", tags=["kpis"])
From = Annotated[date, Query(alias="from", description="the first UTC day, YYYY-MM-DD")]
To = Annotated[date, Query(description="the last UTC day, included; at most 366 days after `from`")]


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"


class KpiGroupOut(BaseModel):
    key: str | None
    kpis: dict[str, Value]


class KpiReportOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    group_by: str
    location: str | None
    groups: list[KpiGroupOut]
    totals: dict[str, Value]


class StockPositionOut(BaseModel):
    sku: str
    location: str
    opening: int
    received: int
    sold: int
    on_hand: int
    days_of_supply: float | None
    sell_through: float | None


class StockReportOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    items: list[StockPositionOut]


@router.get("", response_model=KpiReportOut, response_model_by_alias=True)
def kpi_report(caller: Caller, uow: Uow, start: From, to: To, group_by: KpiGroupBy,
               format: Format = Format.JSON, location: str | None = None) -> Any:
    """Every KPI per channel, location (of each order's first fulfillment), fulfillment method or day (placed, UTC),
    and the totals; `format=csv` gives one row per group (and a last `total` row), one column per KPI. A store key
    sees its own store's; `location=` narrows an admin's or operator's report to one location. docs/KPIS.md."""
    report = kpis.kpi_report(uow, start, to, group_by, caller, location)
    if format is Format.CSV:
        return Response(_csv(report), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="kpis-{start}-{to}-{group_by}.csv"'})
    return KpiReportOut.model_validate({
        "from": start, "to": to, "group_by": str(group_by), "location": report.location,
        "groups": [KpiGroupOut(key=g.key, kpis=g.kpis) for g in report.groups], "totals": report.totals,
    })


def _csv(report: kpis.KpiReport) -> str:
    names = list(report.totals)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([str(report.group_by), *names])
    for group in report.groups:
        writer.writerow([group.key or "", *("" if group.kpis[n] is None else group.kpis[n] for n in names)])
    writer.writerow(["total", *("" if report.totals[n] is None else report.totals[n] for n in names)])
    return out.getvalue()


@router.get("/stock", response_model=StockReportOut, response_model_by_alias=True)
def stock_report(caller: Caller, uow: Uow, start: From, to: To, location: str | None = None) -> Any:
    """Per SKU and location: on hand at the start and end, units received and sold, days of supply (on hand ÷
    units sold a day) and sell-through (sold ÷ opening + received)."""
    positions = kpis.stock_report(uow, start, to, caller, location)
    return StockReportOut.model_validate({"from": start, "to": to, "items": [
        StockPositionOut(sku=p.sku, location=p.location, opening=p.opening, received=p.received, sold=p.sold,
                         on_hand=p.on_hand, days_of_supply=None if p.days_of_supply is None
                         else round(p.days_of_supply, 2), sell_through=p.sell_through.value)
        for p in positions]})


class CustomerValueOut(BaseModel):
    customer_id: str
    channels: list[str]
    orders: int  # orders and till sales
    historical_margin: Decimal
    cross_channel: bool
    expected_purchases: float | None  # over the run's horizon; null before the first run
    probability_alive: float | None
    predicted_value: Decimal | None

    @classmethod
    def of(cls, found: customer_value.CustomerValue) -> CustomerValueOut:
        h, p = found.history, found.predicted
        return cls(customer_id=h.customer_id, channels=sorted(h.channels), orders=h.orders,
                   historical_margin=h.margin.quantize(Decimal("0.01")), cross_channel=h.cross_channel,
                   expected_purchases=p.expected_purchases if p else None,
                   probability_alive=p.probability_alive if p else None,
                   predicted_value=p.predicted_value if p else None)


class CustomerGroupOut(BaseModel):
    customers: int
    average_historical_margin: Decimal | None
    average_predicted_value: Decimal | None


class LifetimeValueRunOut(BaseModel):
    id: str
    computed_at: datetime
    horizon_months: int
    discount_rate: float
    customers: int
    parameters: dict[str, float]


class CustomerValuesOut(BaseModel):
    run: LifetimeValueRunOut | None  # the last `omnifill kpis clv`; null if it never ran
    comparison: dict[str, CustomerGroupOut]  # cross_channel, single_channel
    items: list[CustomerValueOut]


@router.get("/customers")
def customer_values(caller: Caller, uow: Uow, limit: Annotated[Limit, Query()] = 100) -> CustomerValuesOut:
    """Each customer's margin across every channel (orders and till sales: revenue − cost of goods − fulfillment
    cost − refunds) with the lifetime value the last `omnifill kpis clv` predicted, most valuable first; and
    customers who bought on two or more channels against those on one. Admin and operator keys (personal data)."""
    found = customer_value.customer_values(uow, caller, limit)
    run = found.run
    return CustomerValuesOut(
        run=None if run is None else LifetimeValueRunOut(
            id=run.id, computed_at=run.computed_at, horizon_months=run.horizon.months,
            discount_rate=run.horizon.discount_rate, customers=run.customers, parameters=run.parameters),
        comparison={name: CustomerGroupOut(customers=found.counts[name],
                                           average_historical_margin=found.historical_margin[name],
                                           average_predicted_value=found.predicted_value[name])
                    for name in ("cross_channel", "single_channel")},
        items=[CustomerValueOut.of(c) for c in found.customers])
