"""The wire contract of returns: authorize, receive, refund and exchange bodies; RMAs, dispositions, return rates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from omnifill.adapters.sql.return_repository import DispositionRecord, refund_json
from omnifill.domain.errors import InvalidInput
from omnifill.domain.return_analytics import ReturnRate
from omnifill.domain.returns import (
    Condition,
    Disposition,
    ReceivedLine,
    RequestedLine,
    ReturnAuthorization,
    ReturnMethod,
    disposition_for,
)
from omnifill.entrypoints.api.schemas import Code, Strict, money

ReasonCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
ReturnUnits = Annotated[int, Field(ge=1, le=10_000)]
OrderId = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class ReturnLineIn(Strict):
    sku: Code
    quantity: ReturnUnits
    reason: ReasonCode = Field(description="One of the policy's reasons (damaged, wrong_item, size_fit…).")


class ReturnIn(Strict):
    order_id: OrderId
    lines: Annotated[list[ReturnLineIn], Field(min_length=1, max_length=200)]
    method: Literal["in_store", "mail"]
    location: Code | None = Field(None, description="In store: the store it is brought to (a store key: its own). "
                                                    "Mail: the returns location (else the nearest that takes them).")

    def requested(self) -> tuple[RequestedLine, ...]:
        return tuple(RequestedLine(ln.sku, ln.quantity, ln.reason) for ln in self.lines)

    @property
    def return_method(self) -> ReturnMethod:
        return ReturnMethod(self.method)


class ReceivedLineIn(Strict):
    sku: Code
    quantity: ReturnUnits
    condition: Literal["sellable", "damaged", "defective", "refurbish"]
    disposition: Literal["quarantine", "return_to_vendor", "dispose"] | None = Field(
        None, description="For damaged and defective units; left out: damaged → quarantine, defective → "
                          "return_to_vendor. Sellable units are restocked, refurbish units queued.")


class ReceiveIn(Strict):
    location: Code
    lines: Annotated[list[ReceivedLineIn], Field(min_length=1, max_length=200)]

    def received(self) -> tuple[ReceivedLine, ...]:
        found = []
        for index, ln in enumerate(self.lines):
            condition = Condition(ln.condition)
            asked = Disposition(ln.disposition) if ln.disposition else None
            found.append(ReceivedLine(ln.sku, ln.quantity, condition,
                                      disposition_for(condition, asked, f"lines[{index}].disposition")))
        return tuple(found)


class RefundIn(Strict):
    method: Literal["original_payment", "store_credit"]


class ExchangeLineIn(Strict):
    sku: Code
    quantity: ReturnUnits


class ExchangeIn(Strict):
    exchange: Annotated[list[ExchangeLineIn], Field(min_length=1, max_length=200)]

    def wanted(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for index, ln in enumerate(self.exchange):
            if ln.sku in found:
                raise InvalidInput(f"exchange[{index}].sku", f"{ln.sku} is listed twice; give one line per SKU")
            found[ln.sku] = ln.quantity
        return found


class ReturnLineOut(BaseModel):
    sku: str
    quantity: int
    reason: str
    received: int


class ReturnLabelOut(BaseModel):
    carrier: str
    tracking_number: str
    cost: str
    returns_location: str
    expected_arrival: date
    label_url: str


class ReturnOut(BaseModel):
    id: str
    order_id: str
    channel: str
    method: str
    status: str
    location: str | None = Field(description="The store an in-store return was authorized for.")
    lines: list[ReturnLineOut]
    label: ReturnLabelOut | None = Field(description="A mail return's prepaid label.")
    received_at: list[str] = Field(description="The locations units were received at.")
    replacement_order_id: str | None = Field(description="An exchange's replacement order.")
    refund_method: str | None
    refund: dict[str, Any] | None = Field(description="As refunded: lines (amount, restocking_fee, refund), "
                                                      "restocking_fee, shipping, total.")
    created_at: datetime
    authorized_by: str

    @classmethod
    def of(cls, rma: ReturnAuthorization) -> ReturnOut:
        label = rma.label
        return cls(
            id=rma.id, order_id=rma.order_id, channel=rma.channel, method=str(rma.method), status=str(rma.status),
            location=rma.location, received_at=list(rma.received_at),
            lines=[ReturnLineOut(sku=ln.sku, quantity=ln.quantity, reason=ln.reason, received=ln.received)
                   for ln in rma.lines],
            label=ReturnLabelOut(carrier=label.carrier, tracking_number=label.tracking_number, cost=money(label.cost),
                                 returns_location=label.returns_location, expected_arrival=label.expected_arrival,
                                 label_url=f"/v1/returns/{rma.id}/label") if label else None,
            replacement_order_id=rma.replacement_order_id, refund_method=rma.refund_method,
            refund=refund_json(rma.refund) if rma.refund else None, created_at=rma.created_at,
            authorized_by=rma.actor,
        )


class ResolveIn(Strict):
    outcome: Literal["restock", "dispose", "returned_to_vendor"]


class DispositionOut(BaseModel):
    id: int
    return_id: str
    sku: str
    location: str
    quantity: int
    condition: str
    disposition: str
    received_by: str
    received_at: datetime
    outcome: str | None = Field(description="restock, dispose or returned_to_vendor; null: still in its queue.")
    resolved_by: str | None
    resolved_at: datetime | None

    @classmethod
    def of(cls, d: DispositionRecord) -> DispositionOut:
        return cls(id=d.id, return_id=d.return_id, sku=d.sku, location=d.location, quantity=d.quantity,
                   condition=str(d.condition), disposition=str(d.disposition), received_by=d.actor,
                   received_at=d.received_at, outcome=str(d.outcome) if d.outcome else None,
                   resolved_by=d.resolved_by, resolved_at=d.resolved_at)


class ReturnRateOut(BaseModel):
    group: str
    returned_units: int
    sold_units: int
    return_rate: str | None = Field(description="returned ÷ sold, to 4 places; null when nothing was sold.")

    @classmethod
    def of(cls, rate: ReturnRate) -> ReturnRateOut:
        return cls(group=rate.group, returned_units=rate.returned_units, sold_units=rate.sold_units,
                   return_rate=None if rate.return_rate is None else str(rate.return_rate))


class ReturnAnalyticsOut(BaseModel):
    from_: date = Field(alias="from")
    to: date
    group_by: str
    groups: list[ReturnRateOut]
