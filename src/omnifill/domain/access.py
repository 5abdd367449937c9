"""Who may do what. Every API key carries a role; store and channel keys also carry their scope."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from omnifill.domain.errors import Forbidden, InvalidInput


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    STORE = "store"
    CHANNEL = "channel"
    VENDOR = "vendor"  # a dropship vendor: its own purchase orders and its own stock feed
    CARRIER = "carrier"  # a carrier's (or tracking integration's) feed: its own shipments' tracking events


class Permission(StrEnum):
    CATALOG_READ = "catalog:read"
    CATALOG_WRITE = "catalog:write"
    NETWORK_READ = "network:read"
    NETWORK_WRITE = "network:write"
    INVENTORY_READ = "inventory:read"
    INVENTORY_WRITE = "inventory:write"
    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"
    ROUTING_READ = "routing:read"
    ROUTING_WRITE = "routing:write"
    FULFILLMENT_WRITE = "fulfillment:write"  # accept, reject, short-pick the work sent to a location
    AVAILABILITY_READ = "availability:read"  # promises for a basket: what storefronts ask on every page
    SHIPPING_READ = "shipping:read"  # shipments with their tracking, and their labels
    SHIPPING_WRITE = "shipping:write"  # tracking events: in transit, out for delivery, delivered, exception
    EVENTS_READ = "events:read"  # the whole event stream (every order, every channel): admin and operator only
    WEBHOOKS_WRITE = "webhooks:write"  # webhook subscriptions, their dead letters and replays
    CHANNELS_SYNC = "channels:sync"  # a channel's connector: import its orders, its availability feed, its rejects
    RETURNS_READ = "returns:read"  # return authorizations (RMAs) and their labels
    RETURNS_WRITE = "returns:write"  # authorize, refund, exchange, close or cancel a return
    RETURNS_RECEIVE = "returns:receive"  # take returned units in where they arrive, and see their dispositions
    RETURNS_ANALYTICS = "returns:analytics"  # return rates across the business
    POS_WRITE = "pos:write"  # a till's sales and returns, at its own store
    CUSTOMERS_READ = "customers:read"  # customer profiles across channels: personal data, head office only
    KPIS_READ = "kpis:read"  # the KPI report: the whole business, or a store key's own store


_P = Permission
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    # Operations teams run the business day to day, routing rules included; the network's configuration stays
    # with admins. Store and channel keys never see or change routing.
    Role.OPERATOR: frozenset(Permission) - {_P.NETWORK_WRITE},
    Role.STORE: frozenset({_P.CATALOG_READ, _P.NETWORK_READ, _P.INVENTORY_READ, _P.INVENTORY_WRITE, _P.ORDERS_READ,
                           _P.FULFILLMENT_WRITE, _P.AVAILABILITY_READ, _P.SHIPPING_READ}),
    Role.CHANNEL: frozenset({_P.CATALOG_READ, _P.NETWORK_READ, _P.ORDERS_READ, _P.ORDERS_WRITE,
                             _P.AVAILABILITY_READ, _P.SHIPPING_READ, _P.CHANNELS_SYNC}),
    # A vendor sees the orders it ships (with the ship-to address it needs) and feeds its own stock.
    Role.VENDOR: frozenset({_P.CATALOG_READ, _P.INVENTORY_READ, _P.INVENTORY_WRITE, _P.ORDERS_READ,
                            _P.FULFILLMENT_WRITE, _P.SHIPPING_READ}),
    # A carrier reports what happens to its own parcels; it sees no orders, stock or network.
    Role.CARRIER: frozenset({_P.SHIPPING_READ, _P.SHIPPING_WRITE}),
}
# Returns: a channel authorizes and settles its own orders' returns; a store authorizes them at its counter (BORIS),
# receives them and settles them there. Rates across the business stay with admins and operators.
GRANTS[Role.STORE] |= {_P.RETURNS_READ, _P.RETURNS_WRITE, _P.RETURNS_RECEIVE}
GRANTS[Role.CHANNEL] |= {_P.RETURNS_READ, _P.RETURNS_WRITE}
# A store's till reports its own sales and returns (the key's store; require_location keeps it there).
GRANTS[Role.STORE] = GRANTS[Role.STORE] | {_P.POS_WRITE}
# A store sees its own store's KPIs (the report is narrowed to it); channel, vendor and carrier keys none.
GRANTS[Role.STORE] = GRANTS[Role.STORE] | {_P.KPIS_READ}
_SITE_ROLES = frozenset({Role.STORE, Role.VENDOR})  # keys scoped to one location
_ROLE = re.compile(r"(admin|operator)|(store|channel|vendor|carrier):([A-Za-z0-9][A-Za-z0-9_.\-]{0,63})")


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    scope: str | None = None  # the store's location code, or the channel code

    @classmethod
    def parse(cls, text: str) -> Principal:
        match = _ROLE.fullmatch(text)
        if match is None:
            raise InvalidInput("role", "must be admin, operator, store:<location code>, channel:<channel code>, "
                                       "vendor:<location code> or carrier:<carrier code>")
        if match.group(1):
            return cls(Role(match.group(1)))
        return cls(Role(match.group(2)), match.group(3))

    def __str__(self) -> str:
        return f"{self.role}:{self.scope}" if self.scope else str(self.role)

    def require(self, permission: Permission) -> None:
        if permission not in GRANTS[self.role]:
            raise Forbidden(f"a {self.role} key may not {permission}", permission=str(permission))

    def require_location(self, code: str) -> None:
        """A store (or vendor) key acts on its own location only."""
        if self.role in _SITE_ROLES and code != self.scope:
            raise Forbidden(f"this key acts on {self.role} {self.scope} only", location=code)

    def require_channel(self, code: str) -> None:
        """A channel key creates and reads its own channel's orders only."""
        if self.role is Role.CHANNEL and code != self.scope:
            raise Forbidden(f"this key acts on channel {self.scope} only", channel=code)

    @property
    def location(self) -> str | None:
        return self.scope if self.role in _SITE_ROLES else None

    @property
    def channel(self) -> str | None:
        return self.scope if self.role is Role.CHANNEL else None

    @property
    def carrier(self) -> str | None:
        return self.scope if self.role is Role.CARRIER else None

    def require_order(self, channel: str, locations: set[str]) -> None:
        """Channel keys see their channel's orders; store keys the orders their store fulfills or hands over."""
        if self.role is Role.CARRIER:
            raise Forbidden("a carrier key sees its own shipments only, not orders")
        if self.role is Role.CHANNEL and channel != self.scope:
            raise Forbidden(f"this key acts on channel {self.scope} only", channel=channel)
        if self.role in _SITE_ROLES and self.scope not in locations:
            raise Forbidden(f"this key acts on {self.role} {self.scope} only", location=self.scope)

    def require_shipment(self, carrier: str, channel: str, locations: set[str]) -> None:
        """A carrier key acts on its own carrier's shipments; every other key as on the shipment's order."""
        if self.role is Role.CARRIER:
            if carrier != self.scope:
                raise Forbidden(f"this key acts on carrier {self.scope}'s shipments only", carrier=carrier)
            return
        self.require_order(channel, locations)
