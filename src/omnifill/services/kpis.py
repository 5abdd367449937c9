"""The KPI report over a period: order, fulfillment, return and stock KPIs per channel, location, fulfillment method
or day, and their totals (docs/KPIS.md). Read-only: one read transaction, a handful of bulk queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from omnifill.adapters.sql.kpi_repository import OrderRecords
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Permission, Principal
from omnifill.domain.costs import CostModel, Handling
from omnifill.domain.errors import InvalidInput
from omnifill.domain.kpi_report import (
    STOCK_KPIS,
    KpiGroup,
    KpiGroupBy,
    StockFacts,
    Value,
    order_kpis,
    report_groups,
    return_rate,
    stock_kpis,
)
from omnifill.domain.kpis import OrderFacts, fulfillment_cost
from omnifill.domain.locations import LocationKind
from omnifill.domain.return_analytics import GroupBy, ReturnedUnits, ReturnRate, SoldUnits, return_rates
from omnifill.domain.stock_kpis import StockPosition, stock_positions
from omnifill.services.routing import default_cost_model

LONGEST_PERIOD_DAYS = 366
# The return analytics grouping that matches each KPI grouping; a fulfillment method has none.
_RETURN_GROUPING = {KpiGroupBy.CHANNEL: GroupBy.CHANNEL, KpiGroupBy.LOCATION: GroupBy.LOCATION,
                    KpiGroupBy.DAY: GroupBy.DAY}


@dataclass(frozen=True, slots=True)
class KpiReport:
    start: date
    end: date
    group_by: KpiGroupBy
    location: str | None  # the one location reported on, if any
    groups: list[KpiGroup]
    totals: dict[str, Value]


def period(start: date, end: date) -> tuple[datetime, datetime]:
    """[since, until) of the UTC days from `start` to `end`, both included; at most a year."""
    if end < start:
        raise InvalidInput("to", "must not be before from")
    if (end - start).days >= LONGEST_PERIOD_DAYS:
        raise InvalidInput("to", f"a period is at most {LONGEST_PERIOD_DAYS} days")
    return datetime.combine(start, time(), UTC), datetime.combine(end + timedelta(days=1), time(), UTC)


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def reported_location(uow: UnitOfWork, principal: Principal, location: str | None) -> str | None:
    """Admin and operator keys see the whole business or one location; a store key its own store only."""
    principal.require(Permission.KPIS_READ)
    if location is None:
        return principal.location
    principal.require_location(location)
    with uow.reading() as reader:
        if reader.locations.id_for(location) is None:
            raise InvalidInput("location", f"no location {location}")
    return location


@dataclass(frozen=True, slots=True)
class _Facts:
    orders: list[OrderFacts]
    stock: StockFacts
    returned: list[ReturnedUnits]
    sold: list[SoldUnits]

    def at(self, location: str) -> _Facts:
        return _Facts([o for o in self.orders if o.location == location], self.stock.at(location),
                      [r for r in self.returned if r.location == location],
                      [s for s in self.sold if s.location == location])


def kpi_report(uow: UnitOfWork, start: date, end: date, group_by: KpiGroupBy, principal: Principal,
               location: str | None = None, cost_model: CostModel | None = None) -> KpiReport:
    [report] = kpi_reports(uow, start, end, [group_by], principal, location, cost_model)
    return report


def kpi_reports(uow: UnitOfWork, start: date, end: date, groupings: Sequence[KpiGroupBy], principal: Principal,
                location: str | None = None, cost_model: CostModel | None = None) -> list[KpiReport]:
    """The same period grouped several ways (a dashboard's tiles and charts), from one read of the facts."""
    location = reported_location(uow, principal, location)
    facts = _read(uow, start, end, cost_model or default_cost_model())
    if location is not None:
        facts = facts.at(location)
    orders, stock = order_kpis(facts.orders), stock_kpis(facts.stock, utc_day)  # the same for every grouping
    reports = []
    for group_by in groupings:
        rates = return_rates(facts.returned, facts.sold, _RETURN_GROUPING.get(group_by, GroupBy.DAY))
        totals = {**orders, "return_rate": return_rate(rates), **stock}
        reports.append(KpiReport(start, end, group_by, location, _groups(facts, group_by, rates), totals))
    return reports


def _read(uow: UnitOfWork, start: date, end: date, cost_model: CostModel) -> _Facts:
    since, until = period(start, end)
    with uow.reading() as reader:
        records = reader.kpis.orders(since, until)
        stock = StockFacts(reader.kpis.opening_stock(since), reader.kpis.movements(since, until),
                           reader.kpis.standard_costs(), start, end)
        returned = reader.returns.returned_units(since, until)
        sold = reader.returns.sold_units(since, until)
    return _Facts(costed(records, cost_model), stock, returned, sold)


def costed(records: OrderRecords, cost_model: CostModel) -> list[OrderFacts]:
    """Each order with what fulfilling it cost: handling from the cost model, the labels bought, packaging."""
    def handling(code: str, kind: LocationKind) -> Handling:
        return cost_model.handling_by_location.get(code) or cost_model.handling[kind]

    return [replace(o, fulfillment_cost=fulfillment_cost(records.departures[o.order_id], handling))
            for o in records.facts]


def _groups(facts: _Facts, group_by: KpiGroupBy, rates: Sequence[ReturnRate]) -> list[KpiGroup]:
    """The groups that have orders, plus (by channel, location or day) those that only shipped or returned units
    placed earlier, and (by location) those that only held or moved stock."""
    groups = {g.key: g for g in report_groups(facts.orders, group_by)}
    by_rate = {r.group: r for r in rates} if group_by in _RETURN_GROUPING else {}
    extra: set[str | None] = set(by_rate)
    if group_by is KpiGroupBy.LOCATION:
        extra |= {e.location for e in facts.stock.entries} | {key[1] for key, n in facts.stock.opening.items() if n}
    for key in extra - set(groups):
        groups[key] = KpiGroup(key, order_kpis([]))
    found = []
    for key in sorted(groups, key=lambda k: (k is None, k or "")):
        row = groups[key].kpis
        row["return_rate"] = return_rate([by_rate[key]]) if key in by_rate else None
        if group_by is KpiGroupBy.LOCATION and key is not None:
            row.update(stock_kpis(facts.stock.at(key), utc_day))
        else:
            row.update(dict.fromkeys(STOCK_KPIS))
        found.append(KpiGroup(key, row))
    return found


def stock_report(uow: UnitOfWork, start: date, end: date, principal: Principal,
                 location: str | None = None) -> list[StockPosition]:
    """Days of supply and sell-through per SKU and location over the period."""
    location = reported_location(uow, principal, location)
    since, until = period(start, end)
    with uow.reading() as reader:
        stock = StockFacts(reader.kpis.opening_stock(since), reader.kpis.movements(since, until), {}, start, end)
    if location is not None:
        stock = stock.at(location)
    return stock_positions(stock.opening, stock.entries, stock.days)
