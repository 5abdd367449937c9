"""The wire contract of tills (sales, returns, offline batches) and of customer profiles."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints, model_validator

from omnifill.domain.errors import DomainError
from omnifill.domain.pos import PosCustomer, PosKind
from omnifill.entrypoints.api.schemas import Code, CustomerIn, MoneyText, Strict, Units, money
from omnifill.services.customers import CustomerProfile
from omnifill.services.pos import MAX_BATCH, PosConflict, PosOutcome, TillLine, TillReport

TransactionId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/\-]{0,127}$")]
Barcode = Annotated[str, StringConstraints(pattern=r"^[0-9]{8,14}$")]
LoyaltyId = Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]


class PosCustomerIn(CustomerIn):
    loyalty_id: LoyaltyId | None = None


class _LineIn(Strict):
    sku: Code | None = None
    barcode: Barcode | None = None
    quantity: Units

    @model_validator(mode="after")
    def _one_identifier(self) -> _LineIn:
        if (self.sku is None) == (self.barcode is None):
            raise ValueError("give the line's sku or its barcode (one of them)")
        return self


class SaleLineIn(_LineIn):
    unit_price: MoneyText


class ReturnLineIn(_LineIn):
    condition: Literal["sellable", "damaged"] = "sellable"


class _TillIn(Strict):
    transaction_id: TransactionId
    occurred_at: AwareDatetime = Field(description="When it happened at the till (an offline till: long ago).")
    location: Code | None = Field(None, description="A store key's own store when left out; admin keys give it.")
    customer: PosCustomerIn | None = None

    def _customer(self) -> PosCustomer | None:
        c = self.customer
        return PosCustomer(c.email, c.phone, c.loyalty_id, c.name) if c else None


class SaleIn(_TillIn):
    lines: Annotated[list[SaleLineIn], Field(min_length=1, max_length=200)]

    def report(self) -> TillReport:
        lines = tuple(TillLine(ln.quantity, ln.sku, ln.barcode, Decimal(ln.unit_price)) for ln in self.lines)
        return TillReport(PosKind.SALE, self.transaction_id, self.occurred_at, lines, self._customer())


class ReturnIn(_TillIn):
    original_transaction_id: TransactionId | None = None
    lines: Annotated[list[ReturnLineIn], Field(min_length=1, max_length=200)]

    def report(self) -> TillReport:
        lines = tuple(TillLine(ln.quantity, ln.sku, ln.barcode, condition=ln.condition) for ln in self.lines)
        return TillReport(PosKind.RETURN, self.transaction_id, self.occurred_at, lines, self._customer(),
                          self.original_transaction_id)


class SaleBatchIn(Strict):
    location: Code | None = None
    sales: Annotated[list[SaleIn], Field(min_length=1, max_length=MAX_BATCH)]


class PosLineOut(BaseModel):
    sku: str
    quantity: int
    unit_price: str | None
    condition: str | None


class PosBalanceOut(BaseModel):
    sku: str
    on_hand: int
    reserved: int
    safety_stock: int
    available: int


class ReroutedOut(BaseModel):
    order_id: str
    fulfillment_id: str
    units: int


class ConflictOut(BaseModel):
    sku: str
    units_short: int = Field(description="Units the sale took beyond what was free of online reservations.")
    rerouted: list[ReroutedOut]
    unbooked_units: int = Field(description="Units sold that the books did not hold; booked in by an adjustment.")


class PosResultOut(BaseModel):
    id: str
    transaction_id: str
    kind: str
    location: str
    occurred_at: datetime
    recorded_at: datetime
    customer_id: str | None
    original_transaction_id: str | None
    total: str
    lines: list[PosLineOut]
    balances: list[PosBalanceOut]
    conflicts: list[ConflictOut]
    replayed: bool = Field(description="True when this transaction was recorded before: nothing changed now.")

    @classmethod
    def of(cls, outcome: PosOutcome) -> PosResultOut:
        return cls(**outcome.result, replayed=outcome.replayed)


class ErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class BatchItemOut(BaseModel):
    transaction_id: str
    status: Literal["recorded", "replayed", "failed"]
    sale: PosResultOut | None
    error: ErrorBody | None

    @classmethod
    def of(cls, transaction_id: str, answer: PosOutcome | DomainError) -> BatchItemOut:
        if isinstance(answer, DomainError):
            error = ErrorBody(code=answer.code, message=answer.message, details=answer.details)
            return cls(transaction_id=transaction_id, status="failed", sale=None, error=error)
        status: Literal["recorded", "replayed"] = "replayed" if answer.replayed else "recorded"
        return cls(transaction_id=transaction_id, status=status, sale=PosResultOut.of(answer), error=None)


class BatchOut(BaseModel):
    recorded: int
    replayed: int
    failed: int
    results: list[BatchItemOut]


class ConflictRecordOut(BaseModel):
    id: int
    location: str
    transaction_id: str
    sku: str
    units_short: int
    rerouted: list[ReroutedOut]
    unbooked_units: int
    sale_occurred_at: datetime
    recorded_at: datetime

    @classmethod
    def of(cls, c: PosConflict) -> ConflictRecordOut:
        return cls(id=c.id, location=c.location, transaction_id=c.transaction_id, sku=c.sku,
                   units_short=c.units_short, rerouted=[ReroutedOut(**r) for r in c.rerouted],
                   unbooked_units=c.unbooked_units, sale_occurred_at=c.sale_occurred_at, recorded_at=c.recorded_at)


class IdentityOut(BaseModel):
    kind: str
    value: str


class CustomerOrderOut(BaseModel):
    id: str
    channel: str
    external_id: str
    status: str
    total: str
    created_at: datetime


class CustomerPosOut(BaseModel):
    transaction_id: str
    kind: str
    location: str
    occurred_at: datetime
    total: str


class CustomerReturnOut(BaseModel):
    id: str
    order_id: str
    channel: str
    method: str
    status: str
    units: int
    created_at: datetime


class CustomerOut(BaseModel):
    id: str
    name: str | None
    created_at: datetime
    merged_ids: list[str] = Field(description="Profiles found to be this person and merged into it.")
    identities: list[IdentityOut]
    orders: list[CustomerOrderOut]
    pos_sales: list[CustomerPosOut]
    pos_returns: list[CustomerPosOut]
    returns: list[CustomerReturnOut] = Field(description="Return authorizations of these orders (POST /v1/returns).")

    @classmethod
    def of(cls, p: CustomerProfile) -> CustomerOut:
        till = [CustomerPosOut(transaction_id=t.transaction_id, kind=t.kind, location=t.location,
                               occurred_at=t.occurred_at, total=money(t.total)) for t in p.pos_transactions]
        return cls(
            id=p.id, name=p.name, created_at=p.created_at, merged_ids=p.merged_ids,
            identities=[IdentityOut(kind=str(i.kind), value=i.value) for i in p.identities],
            orders=[CustomerOrderOut(id=o.id, channel=o.channel, external_id=o.external_id, status=o.status,
                                     total=money(o.total), created_at=o.created_at) for o in p.orders],
            pos_sales=[t for t in till if t.kind == PosKind.SALE],
            pos_returns=[t for t in till if t.kind == PosKind.RETURN],
            returns=[CustomerReturnOut(id=r.id, order_id=r.order_id, channel=r.channel, method=r.method,
                                       status=r.status, units=r.units, created_at=r.created_at) for r in p.returns],
        )


class CustomerListOut(BaseModel):
    items: list[CustomerOut]
