"""omnifill's built-in carriers: each prices parcels from a rate card and numbers its shipments itself.

A carrier card (`omnifill/data/carriers/*.json`) draws its table from a routing rate card (`base_card`: omnifill's
own when null, else a path beside the card) with its own price scale, extra transit days per service level,
the service levels it offers and the farthest zone it reaches. `OMNIFILL_CARRIER_CARDS` names the cards: a bare
name is a card shipped with omnifill, anything else a path. A real carrier's API adapter implements the same
`Carrier` protocol (domain/shipping.py) and takes a built-in carrier's place.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from omnifill.adapters.geography import lookup_postal_code
from omnifill.adapters.rates import rate_table_from_card, read_card
from omnifill.domain.costs import RateTable
from omnifill.domain.errors import InvalidInput
from omnifill.domain.locations import Location, great_circle_miles
from omnifill.domain.orders import Address, ServiceLevel
from omnifill.domain.shipping import Carrier, CarrierQuote, CarrierShipment, Parcel, s10_tracking_number

DEFAULT_CARRIER_CARDS = ("groundline", "swiftpost")
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class RateCardCarrier:
    code: str
    name: str
    rates: RateTable
    tracking_prefix: str
    dim_divisor: int = 5000

    def __post_init__(self) -> None:
        s10_tracking_number(self.tracking_prefix, 0)  # refuses a prefix that cannot start a tracking number
        if self.dim_divisor <= 0:
            raise InvalidInput("dim_divisor", "must be above 0")

    def quote(
        self, origin: Location, destination: Address, parcels: Sequence[Parcel], service: ServiceLevel,
    ) -> CarrierQuote | None:
        place = lookup_postal_code(destination.postal_code, destination.country)
        if place is None or not parcels:
            return None
        miles = great_circle_miles(origin.position, place.position)
        quotes = [self.rates.quote(service, miles, float(p.billable_kg(self.dim_divisor))) for p in parcels]
        priced = [q for q in quotes if q is not None]
        if len(priced) != len(quotes):
            return None
        # Each parcel is billed in cents, as a carrier's invoice is.
        price = sum((Decimal(repr(q.price)).quantize(CENT, ROUND_HALF_UP) for q in priced), Decimal(0))
        return CarrierQuote(self.code, service, price, max(q.transit_days for q in priced), priced[0].zone)

    def create_shipment(
        self, origin: Location, destination: Address, parcels: Sequence[Parcel], quote: CarrierQuote,
    ) -> CarrierShipment:
        number = s10_tracking_number(self.tracking_prefix, secrets.randbelow(10**8))
        return CarrierShipment(number, {"zone": str(quote.zone)} if quote.zone is not None else {})


def load_carriers(cards: Sequence[str] = DEFAULT_CARRIER_CARDS) -> list[Carrier]:
    """The carriers named by the setting, each from its card; two cards may not name the same carrier."""
    carriers: dict[str, Carrier] = {}
    for name in cards:
        carrier = carrier_from_card(*_read(name))
        if carrier.code in carriers:
            raise InvalidInput("carrier_cards", f"two cards name carrier {carrier.code}")
        carriers[carrier.code] = carrier
    if not carriers:
        raise InvalidInput("carrier_cards", "name at least one carrier card")
    return list(carriers.values())


def _read(name: str) -> tuple[dict[str, Any], Path | None]:
    if "/" not in name and not name.endswith(".json"):
        shipped = resources.files("omnifill").joinpath(f"data/carriers/{name}.json")
        if not shipped.is_file():
            raise InvalidInput("carrier_cards", f"no carrier card {name} ships with omnifill")
        return json.loads(shipped.read_text(encoding="utf-8")), None
    path = Path(name)
    return json.loads(path.read_text(encoding="utf-8")), path.parent


def carrier_from_card(card: dict[str, Any], folder: Path | None = None) -> RateCardCarrier:
    """A carrier from its card; `folder` is where a relative `base_card` path is found."""
    try:
        base = card.get("base_card")
        rates = rate_table_from_card(read_card(None if base is None else (folder or Path()) / base))
        levels = frozenset(ServiceLevel(level) for level in card["service_levels"])
        extra_days = {ServiceLevel(level): int(days) for level, days in card.get("extra_transit_days", {}).items()}
        table = rates.carrier_variant(float(card.get("price_scale", 1.0)), extra_days, int(card.get("max_zone", 9)),
                                      levels)
        return RateCardCarrier(str(card["carrier"]), str(card.get("name", card["carrier"])), table,
                               str(card["tracking_prefix"]), int(card.get("dim_divisor", 5000)))
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidInput("carrier_cards", f"not a carrier card: {error!r}") from None
