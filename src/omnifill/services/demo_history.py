"""A few days of trade for the demo, so every chart and KPI has something to show: orders from the web, the app and
a marketplace, shipped and delivered or collected in store, a few cancelled, a few brought back; and till sales.

Everything goes through the real use cases with past times for `now`, in time order per order, from one seeded
random generator: the same call always makes the same history.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from omnifill.adapters.carriers import load_carriers
from omnifill.adapters.demo_catalog import DemoLocation, DemoSku, popularity
from omnifill.adapters.geography import sample_postal_places
from omnifill.adapters.return_policy import load_return_policy
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal, Role
from omnifill.domain.errors import DomainError
from omnifill.domain.locations import LocationKind
from omnifill.domain.orders import (
    Address,
    Customer,
    Delivery,
    DeliveryMethod,
    FulfillmentStatus,
    Order,
    OrderDraft,
    OrderLine,
    ServiceLevel,
)
from omnifill.domain.pickup import PickupProof
from omnifill.domain.pos import PosCustomer, PosKind
from omnifill.domain.return_policy import ReturnPolicy
from omnifill.domain.returns import Condition
from omnifill.domain.shipping import Carrier, ShipmentStatus, TrackingEvent
from omnifill.services.fulfillment import advance, hand_over
from omnifill.services.inventory import list_balances
from omnifill.services.orders import cancel_order, place_order
from omnifill.services.pos import TillLine, TillReport, record_pos
from omnifill.services.return_desk import CounterLine, take_back_at_counter
from omnifill.services.shipping import ship_fulfillment, track_shipment

ADMIN = Principal(Role.ADMIN)
CHANNELS = ("web", "web", "web", "app", "app", "amazon")  # a marketplace among the storefronts
NAMES = ("Pat Lee", "Sam Rivera", "Alex Kim", "Jordan Diaz", "Casey Nguyen", "Riley Patel", "Morgan Chen",
         "Taylor Brooks", "Jamie Fox", "Drew Park", "Avery Stone", "Quinn Ortiz")
FLAGSHIP = "ST-NYC-01"  # the busiest store: a third of the pickups; the demo's associate works there
RETURN_REASONS = ("size_fit", "size_fit", "no_longer_needed", "damaged", "not_as_described")


@dataclass(frozen=True, slots=True)
class HistorySize:
    days: int = 5
    orders_per_day: int = 36
    till_sales_per_day: int = 10
    cancel_rate: float = 0.06  # of orders, cancelled half an hour after they were placed
    return_rate: float = 0.125  # of orders that reached the customer, one unit brought back to a store's counter


DEMO_HISTORY = HistorySize()

@dataclass(slots=True)
class Counts:
    orders: int = 0
    delivered: int = 0
    picked_up: int = 0
    cancelled: int = 0
    returns: int = 0
    till_sales: int = 0
    skipped: int = 0  # an order routing could not place (all of a SKU promised elsewhere): left out, as a shop would

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(slots=True)
class Trade:
    """What the history draws on, and what it has done so far."""

    rng: random.Random
    now: datetime
    skus: Sequence[DemoSku]
    weights: list[float]
    kinds: dict[str, LocationKind]
    store_stock: dict[str, list[str]]  # store taking pickups and returns → SKUs it holds plenty of
    zips: list[str]
    size: HistorySize
    carriers: Sequence[Carrier] = field(default_factory=load_carriers)
    policy: ReturnPolicy = field(default_factory=load_return_policy)
    counts: Counts = field(default_factory=Counts)
    number: int = 0

    @property
    def stores(self) -> list[str]:
        return sorted(self.store_stock)


def seed_history(uow: UnitOfWork, locations: Sequence[DemoLocation], skus: Sequence[DemoSku], now: datetime,
                 size: HistorySize = DEMO_HISTORY, seed: int = 11) -> dict[str, int]:
    """`size.days` days of orders and till sales ending at `now`; the newest are still open work."""
    trade = _trade(uow, locations, skus, now, size, seed)
    for day in range(size.days - 1, -1, -1):
        for at in _times(trade, day, size.orders_per_day):
            _one_order(uow, trade, at)
        for at in _times(trade, day, size.till_sales_per_day):
            _till_sale(uow, trade, at)
    return trade.counts.as_dict()


def _trade(uow: UnitOfWork, locations: Sequence[DemoLocation], skus: Sequence[DemoSku], now: datetime,
           size: HistorySize, seed: int) -> Trade:
    desks = [loc.code for loc in locations
             if {"pickup", "returns"} <= set(loc.capabilities) and loc.fulfillment_enabled]
    held = {code: [b.sku for b in list_balances(uow, None, code, None, 1_000)[0] if b.level.available > 2]
            for code in desks}
    return Trade(random.Random(seed), now, skus, [popularity(i) for i in range(len(skus))],
                 {loc.code: LocationKind(loc.kind) for loc in locations},
                 {code: found for code, found in held.items() if found},
                 [place.postal_code for place in sample_postal_places(2_000)], size)


def _times(trade: Trade, day: int, count: int) -> list[datetime]:
    """`count` moments, in order, in the day `day` days back (today: only the hours already gone)."""
    span = 14 * 3600 if day else 6 * 3600
    return sorted(trade.now - timedelta(days=day, seconds=trade.rng.randint(300, span)) for _ in range(count))


PROMISE_DAYS = {ServiceLevel.STANDARD: 5, ServiceLevel.EXPRESS: 2}


def _customer(trade: Trade) -> Customer:
    """One of a few dozen shoppers, so profiles gather orders across channels."""
    n = trade.rng.randrange(48)
    return Customer(email=f"shopper{n:02d}@example.com", name=NAMES[n % len(NAMES)])


def _draft(trade: Trade, at: datetime) -> OrderDraft:
    rng = trade.rng
    trade.number += 1
    channel = rng.choice(CHANNELS)
    external_id = f"{channel.upper()}-{10_000 + trade.number}"
    if channel != "amazon" and rng.random() < 0.3:  # buy online, pick up in store
        store = FLAGSHIP if FLAGSHIP in trade.store_stock and rng.random() < 0.33 else rng.choice(trade.stores)
        held = trade.store_stock[store]
        chosen = rng.sample(held, k=min(len(held), rng.randint(1, 2)))
        lines = tuple(OrderLine(sku, 1, _price(trade, sku)) for sku in chosen)
        return OrderDraft(channel, external_id, _customer(trade), None,
                          Delivery(DeliveryMethod.PICKUP, location=store), lines)
    picked = {s.code: s for s in rng.choices(trade.skus, trade.weights, k=rng.randint(1, 3))}
    level = ServiceLevel.EXPRESS if rng.random() < 0.2 else ServiceLevel.STANDARD
    # What the storefront promised at checkout: within 5 days for standard, 2 for express.
    promised = at.date() + timedelta(days=PROMISE_DAYS[level])
    return OrderDraft(channel, external_id, _customer(trade), Address(rng.choice(trade.zips)),
                      Delivery(DeliveryMethod.SHIP, level, promised_by=promised),
                      tuple(OrderLine(code, rng.randint(1, 2), s.unit_price) for code, s in picked.items()))


def _price(trade: Trade, code: str) -> Decimal:
    return next(s.unit_price for s in trade.skus if s.code == code)


def _one_order(uow: UnitOfWork, trade: Trade, at: datetime) -> None:
    draft = _draft(trade, at)
    try:
        order = place_order(uow, draft, f"channel:{draft.channel}", at).order
    except DomainError:
        trade.counts.skipped += 1
        return
    assert order is not None
    trade.counts.orders += 1
    if trade.rng.random() < trade.size.cancel_rate and at + timedelta(minutes=30) <= trade.now:
        cancel_order(uow, order.id, ADMIN, at + timedelta(minutes=30))
        trade.counts.cancelled += 1
        return
    for work in order.fulfillments:
        if trade.kinds[work.location] is not LocationKind.DROPSHIP_VENDOR:  # the vendor's own to acknowledge
            _work_through(uow, trade, order, work.id, work.location, at)


def _work_through(uow: UnitOfWork, trade: Trade, order: Order, work: str, location: str, at: datetime) -> None:
    """The location's moves, each a little later, as far as the clock has got."""
    by = _worker(trade, location)
    pickup = order.delivery.method is DeliveryMethod.PICKUP
    at += timedelta(minutes=trade.rng.randint(10, 240))  # until someone there gets to it: today's is still open
    for minutes, action in ((0, "accept"), (25, "pick"), (50, "ready" if pickup else "pack")):
        if at + timedelta(minutes=minutes) > trade.now:
            return
        moved = advance(uow, work, action, by, at + timedelta(minutes=minutes))
    if pickup:
        _collect(uow, trade, moved, work, at + timedelta(hours=3))
    else:
        _ship(uow, trade, order, work, by, at + timedelta(minutes=80))


def _worker(trade: Trade, location: str) -> Principal:
    return Principal(Role.STORE, location) if trade.kinds[location] is LocationKind.STORE else ADMIN


def _ship(uow: UnitOfWork, trade: Trade, order: Order, work: str, by: Principal, at: datetime) -> None:
    if at > trade.now:
        return
    _, shipment = ship_fulfillment(uow, work, trade.carriers, by, at)
    delivered = at + timedelta(days=2, hours=trade.rng.randint(0, 8))
    if delivered > trade.now:
        return
    track_shipment(uow, shipment.id, TrackingEvent(ShipmentStatus.DELIVERED, delivered, actor="demo carrier"),
                   ADMIN, delivered)
    trade.counts.delivered += 1
    _maybe_return(uow, trade, order, work, delivered + timedelta(hours=20))


def _collect(uow: UnitOfWork, trade: Trade, order: Order, work: str, at: datetime) -> None:
    ready = order.fulfillment(work)
    if at > trade.now or ready is None or ready.status is not FulfillmentStatus.READY_FOR_PICKUP:
        return
    hand_over(uow, work, PickupProof(pickup_code=ready.pickup_code), _worker(trade, ready.location), at)
    trade.counts.picked_up += 1
    _maybe_return(uow, trade, order, work, at + timedelta(hours=26))


def _maybe_return(uow: UnitOfWork, trade: Trade, order: Order, work: str, at: datetime) -> None:
    """Some deliveries come back to a store's counter, one unit, sometimes damaged."""
    found = order.fulfillment(work)
    if at > trade.now or found is None or trade.rng.random() >= trade.size.return_rate:
        return
    reason = trade.rng.choice(RETURN_REASONS)
    condition = Condition.DAMAGED if reason == "damaged" else Condition.SELLABLE
    store = trade.rng.choice(trade.stores)
    take_back_at_counter(uow, order.id, store, [CounterLine(found.lines[0].sku, 1, condition)], reason,
                         Principal(Role.STORE, store), at, policy=trade.policy, carriers=trade.carriers)
    trade.counts.returns += 1


def _till_sale(uow: UnitOfWork, trade: Trade, at: datetime) -> None:
    rng = trade.rng
    store = rng.choice(trade.stores)
    sku = rng.choice(trade.store_stock[store])
    trade.number += 1
    shopper = _customer(trade) if rng.random() < 0.5 else None
    report = TillReport(PosKind.SALE, f"T-{10_000 + trade.number}", at,
                        (TillLine(rng.randint(1, 2), sku=sku, unit_price=_price(trade, sku)),),
                        PosCustomer(email=shopper.email, name=shopper.name) if shopper else None)
    record_pos(uow, report, store, f"store:{store}", at)
    trade.counts.till_sales += 1
