"""Return analytics: returned units and the return rate per SKU, reason, channel, location or day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.errors import InvalidInput
from omnifill.domain.return_analytics import GroupBy, ReturnRate, return_rates

LONGEST_PERIOD_DAYS = 366


def return_analytics(uow: UnitOfWork, start: date, end: date, group_by: GroupBy) -> list[ReturnRate]:
    """Units received back from `start` to `end` (both included, UTC days) over the units shipped or handed over
    in the same days."""
    if end < start:
        raise InvalidInput("to", "must not be before from")
    if (end - start).days >= LONGEST_PERIOD_DAYS:
        raise InvalidInput("to", f"a period is at most {LONGEST_PERIOD_DAYS} days")
    since = datetime.combine(start, time(), UTC)
    until = datetime.combine(end + timedelta(days=1), time(), UTC)
    with uow.reading() as reader:
        returned = reader.returns.returned_units(since, until)
        sold = reader.returns.sold_units(since, until)
    return return_rates(returned, sold, group_by)
