"""The wire contract of bins, layouts, pick waves and cartons. Never the tables."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from omnifill.domain.bins import Bin, Layout
from omnifill.entrypoints.api.schemas import Code, Strict, Units
from omnifill.services.bins import Placement
from omnifill.services.packing import CartonRecord

Position = Annotated[int, Field(ge=0, le=100_000)]
Metres = Annotated[float, Field(ge=-100_000, le=100_000, allow_inf_nan=False)]


class BinIn(Strict):
    code: Code
    zone: Code
    aisle: Position = Field(description="Aisles are walked in this order (within a zone).")
    shelf: Position = Field(description="The position along the aisle.")

    def to_domain(self) -> Bin:
        return Bin(self.code, self.zone, self.aisle, self.shelf)


class BinOut(BaseModel):
    code: str
    zone: str
    aisle: int
    shelf: int

    @classmethod
    def of(cls, b: Bin) -> BinOut:
        return cls(code=b.code, zone=b.zone, aisle=b.aisle, shelf=b.shelf)


class BinLineOut(BaseModel):
    sku: str
    quantity: int


class BinContentsOut(BinOut):
    stock: list[BinLineOut]


class PlaceStockIn(Strict):
    sku: Code
    quantity: Units


class PutAwayOut(BaseModel):
    bin: str
    sku: str
    quantity: int = Field(description="What the bin now holds of the SKU.")
    unplaced: int = Field(description="Units of the SKU on hand at the location and in no bin.")


class PlacementOut(BaseModel):
    bin: str
    zone: str
    aisle: int
    shelf: int
    sku: str
    quantity: int

    @classmethod
    def of(cls, p: Placement) -> PlacementOut:
        return cls(bin=p.bin.code, zone=p.bin.zone, aisle=p.bin.aisle, shelf=p.bin.shelf, sku=p.sku,
                   quantity=p.quantity)


class LayoutIn(Strict):
    """A location's floor: points in metres, the paths walkable between them, the point each bin is picked from."""

    start: Code = Field(description="The pack bench: every walk starts and ends at this point.")
    points: Annotated[dict[Code, tuple[Metres, Metres]], Field(min_length=1, max_length=10_000)]
    paths: Annotated[list[tuple[Code, Code]], Field(max_length=50_000)]
    bins: Annotated[dict[Code, Code], Field(max_length=100_000)]

    def to_domain(self) -> Layout:
        return Layout(self.start, dict(self.points), tuple(self.paths), dict(self.bins))


class LayoutOut(BaseModel):
    start: str
    points: dict[str, tuple[float, float]]
    paths: list[tuple[str, str]]
    bins: dict[str, str]

    @classmethod
    def of(cls, layout: Layout) -> LayoutOut:
        return cls(start=layout.start, points=dict(sorted(layout.points.items())), paths=list(layout.paths),
                   bins=dict(sorted(layout.bins.items())))


class PickWaveIn(Strict):
    max_orders: Annotated[int, Field(ge=1, le=500)] | None = Field(
        None, description="Take at most this many orders, the oldest promise first (all waiting, up to 500).")


class WalkOut(BaseModel):
    method: str = Field(description="`serpentine`, or `shortest_path` over the location's layout.")
    metres: float | None
    serpentine_metres: float | None = Field(description="The serpentine walk over the same layout, to compare.")
    note: str | None


class WaveFulfillmentOut(BaseModel):
    fulfillment_id: str
    order_id: str


class PickLineOut(PlacementOut):
    sequence: int


class SourceOut(BaseModel):
    bin: str
    quantity: int


class SortLineOut(BaseModel):
    sku: str
    quantity: int
    bins: list[SourceOut]


class SortOut(BaseModel):
    fulfillment_id: str
    order_id: str
    lines: list[SortLineOut]


class PickWaveOut(BaseModel):
    """One walk for many orders: the pick list in walking order, units in no bin, and the sort to orders."""

    id: str
    location: str
    started_at: datetime
    started_by: str
    walk: WalkOut
    fulfillments: list[WaveFulfillmentOut]
    pick_list: list[PickLineOut]
    unassigned: list[BinLineOut] = Field(description="Units in no bin: looked for last.")
    sort: list[SortOut] = Field(description="At the pack bench: which fulfillment gets how many of each SKU.")


class CartonOut(BaseModel):
    number: int
    carton: str
    dimensions_cm: list[str] = Field(description="Inner length, width and height.")
    weight_kg: str = Field(description="Contents and the carton's own weight.")
    lines: list[BinLineOut]

    @classmethod
    def of(cls, c: CartonRecord) -> CartonOut:
        return cls(number=c.number, carton=c.carton, dimensions_cm=[str(d) for d in c.dimensions_cm],
                   weight_kg=str(c.weight_kg), lines=[BinLineOut(sku=s, quantity=n) for s, n in c.lines])
