"""The built-in carriers (rate cards, tracking numbers) and the 4×6 PDF labels, read back as a printer would."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import omnifill
from omnifill.adapters.carriers import RateCardCarrier, load_carriers
from omnifill.adapters.geography import lookup_postal_code
from omnifill.adapters.labels import render_label
from omnifill.adapters.rates import read_card
from omnifill.domain.errors import InvalidInput
from omnifill.domain.locations import Capability, Location, LocationKind
from omnifill.domain.orders import Address, ServiceLevel
from omnifill.domain.shipping import CarrierQuote, Parcel, ShippingLabel, is_s10_tracking_number
from tests.factories import ZIP
from tests.labels import barcode_of, pages

STANDARD, SAME_DAY = ServiceLevel.STANDARD, ServiceLevel.SAME_DAY
HALF_KILO = (Parcel(Decimal("0.5")),)


def location(code: str, zip_code: str) -> Location:
    place = lookup_postal_code(zip_code)
    assert place is not None
    assert place.time_zone is not None
    return Location(code, f"Location {code}", LocationKind.STORE, place.position, zip_code, "US", place.time_zone,
                    frozenset({Capability.SHIP}))


NYC = location("ST-NYC", ZIP["NYC"])


def carriers() -> dict[str, RateCardCarrier]:
    found = load_carriers()
    assert all(isinstance(c, RateCardCarrier) for c in found)
    return {c.code: c for c in found if isinstance(c, RateCardCarrier)}


def test_the_shipped_cards_give_a_cheap_slow_carrier_and_a_dear_fast_one() -> None:
    by_code = carriers()
    nearby = Address(ZIP["NYC"])

    assert list(by_code) == ["groundline", "swiftpost"]
    # Zone 2 standard on the routing card: 8.60 for the first kilogram, one day.
    assert by_code["groundline"].quote(NYC, nearby, HALF_KILO, STANDARD) == CarrierQuote(
        "groundline", STANDARD, Decimal("7.74"), 2, 2)
    assert by_code["swiftpost"].quote(NYC, nearby, HALF_KILO, STANDARD) == CarrierQuote(
        "swiftpost", STANDARD, Decimal("9.03"), 1, 2)


def test_a_regional_carrier_does_not_reach_across_the_country_and_ground_has_no_same_day() -> None:
    by_code = carriers()

    assert by_code["swiftpost"].quote(NYC, Address(ZIP["LAX"]), HALF_KILO, STANDARD) is None
    assert by_code["groundline"].quote(NYC, Address(ZIP["LAX"]), HALF_KILO, STANDARD) is not None
    assert by_code["groundline"].quote(NYC, Address(ZIP["NYC"]), HALF_KILO, SAME_DAY) is None
    assert by_code["swiftpost"].quote(NYC, Address("00000"), HALF_KILO, STANDARD) is None


def test_each_parcel_is_billed_at_its_dimensional_weight_in_cents() -> None:
    ground = carriers()["groundline"]
    bulky = Parcel(Decimal("1.000"), Decimal(50), Decimal(40), Decimal(30))  # bills as 12 kg

    found = ground.quote(NYC, Address(ZIP["NYC"]), (bulky, Parcel(Decimal("0.5"))), STANDARD)

    # (8.60 + 0.80 × 11) × 0.9 = 15.66 for the bulky one, 7.74 for the small one; two days for both.
    assert found == CarrierQuote("groundline", STANDARD, Decimal("23.40"), 2, 2)


def test_a_shipment_gets_a_carrier_shaped_tracking_number_and_its_zone() -> None:
    ground = carriers()["groundline"]
    chosen = ground.quote(NYC, Address(ZIP["NYC"]), HALF_KILO, STANDARD)
    assert chosen is not None

    created = ground.create_shipment(NYC, Address(ZIP["NYC"]), HALF_KILO, chosen)

    assert created.tracking_number.startswith("GL")
    assert is_s10_tracking_number(created.tracking_number)
    assert created.label == {"zone": "2"}


def test_a_card_of_ones_own_draws_from_a_rate_card_beside_it(tmp_path: Path) -> None:
    routing_card = read_card()
    (tmp_path / "negotiated.json").write_text(json.dumps(routing_card))
    card = {"carrier": "local", "base_card": "negotiated.json", "price_scale": 0.5, "service_levels": ["standard"],
            "max_zone": 2, "tracking_prefix": "LC"}
    (tmp_path / "local.json").write_text(json.dumps(card))

    [local] = load_carriers([str(tmp_path / "local.json")])

    assert local.quote(NYC, Address(ZIP["NYC"]), HALF_KILO, STANDARD) == CarrierQuote(
        "local", STANDARD, Decimal("4.30"), 1, 2)


@pytest.mark.parametrize(
    "cards",
    [["groundline", "groundline"], ["no-such-carrier"], [], [str(Path(omnifill.__file__).parent / "data/rates.json")]],
)
def test_a_wrong_carrier_setting_is_refused_by_name(cards: list[str]) -> None:
    with pytest.raises(InvalidInput) as refused:
        load_carriers(cards)

    assert refused.value.field == "carrier_cards"


def label(parcels: tuple[Parcel, ...], tracking_number: str = "GL473124829US") -> ShippingLabel:
    return ShippingLabel(("Location ST-NYC", "New York NY 10001 US"), ("Pat Lee", "350 5th Ave", "10001 US"),
                         "groundline", "standard", tracking_number, parcels, date(2026, 11, 25), "ord_1",
                         {"zone": "2"})


def test_a_label_is_a_4_by_6_inch_page_per_parcel_with_the_tracking_number_as_code_128() -> None:
    pdf = render_label(label((Parcel(Decimal("0.5")), Parcel(Decimal("2.25")))))

    found = pages(pdf)
    assert pdf.startswith(b"%PDF-")
    assert [(w, h) for w, h, _ in found] == [(288.0, 432.0), (288.0, 432.0)]
    for text in ("SHIP TO", "Pat Lee", "350 5th Ave", "FROM", "Location ST-NYC", "GROUNDLINE", "STANDARD", "ZONE 2",
                 "GL473124829US"):
        assert text in found[0][2], text
    assert "0.5 kg   parcel 1 of 2" in found[0][2]
    assert "2.25 kg   parcel 2 of 2" in found[1][2]
    assert [barcode_of(pdf, 0), barcode_of(pdf, 1)] == ["GL473124829US", "GL473124829US"]


@pytest.mark.parametrize("tracking_number", ["GL571299944US", "GL999999990US", "SW00000000US"])
def test_digits_that_read_as_code_set_changes_elsewhere_are_still_digits(tracking_number: str) -> None:
    """Code 128 packs the digits in pairs (code set C), where 99, 100 and 101 mean different things."""
    assert barcode_of(render_label(label(HALF_KILO, tracking_number))) == tracking_number


def test_the_same_label_renders_to_the_same_bytes() -> None:
    assert render_label(label(HALF_KILO)) == render_label(label(HALF_KILO))
