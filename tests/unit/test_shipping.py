"""Shipping rules: parcels and dimensional weight, rate-shopping, S10 tracking numbers, the tracking state machine."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omnifill.domain.costs import Quote, RateTable, ServiceRates
from omnifill.domain.errors import InvalidInput, InvalidTransition, NoCarrier
from omnifill.domain.orders import ServiceLevel
from omnifill.domain.shipping import (
    SHIPMENT_TRANSITIONS,
    CarrierQuote,
    Parcel,
    Shipment,
    ShipmentStatus,
    TrackingEvent,
    choose_carrier,
    is_s10_tracking_number,
    parcel_of,
    s10_check_digit,
    s10_tracking_number,
)

S = ShipmentStatus
MONDAY = date(2026, 11, 23)
SHIPPED_AT = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def quote(carrier: str, price: str, days: int) -> CarrierQuote:
    return CarrierQuote(carrier, ServiceLevel.STANDARD, Decimal(price), days)


# ------------------------------------------------------------------------------------------------------ parcels


def test_billable_weight_is_the_greater_of_actual_and_dimensional() -> None:
    light_big = Parcel(Decimal("1.000"), Decimal(50), Decimal(40), Decimal(30))  # 60,000 cm³ ÷ 5,000 = 12 kg
    heavy_small = Parcel(Decimal("20.000"), Decimal(10), Decimal(10), Decimal(10))

    assert light_big.billable_kg(5000) == Decimal(12)
    assert heavy_small.billable_kg(5000) == Decimal(20)
    assert Parcel(Decimal("2.5")).billable_kg(5000) == Decimal("2.5")


@pytest.mark.parametrize(
    ("weight", "sides", "field"),
    [
        ("0", (None, None, None), "weight_kg"),
        ("70.001", (None, None, None), "weight_kg"),
        ("1", (Decimal(10), None, None), "length_cm"),
        ("1", (Decimal(10), Decimal(10), Decimal(0)), "length_cm"),
        ("1", (Decimal(301), Decimal(10), Decimal(10)), "length_cm"),
    ],
)
def test_a_parcel_out_of_a_carrier_limits_is_refused(
    weight: str, sides: tuple[Decimal | None, ...], field: str,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        Parcel(Decimal(weight), *sides)

    assert refused.value.field == field


def test_one_box_weighs_its_units_and_never_nothing() -> None:
    assert parcel_of([Decimal("0.250"), Decimal("1.500")]) == Parcel(Decimal("1.750"))
    assert parcel_of([Decimal(0)]) == Parcel(Decimal("0.1"))


# ------------------------------------------------------------------------------------------------ rate-shopping


def test_without_a_promise_the_cheapest_carrier_wins() -> None:
    quotes = [quote("swiftpost", "9.03", 1), quote("groundline", "7.74", 2)]

    assert choose_carrier(quotes, MONDAY, None).carrier == "groundline"


def test_the_cheapest_carrier_that_keeps_the_promise_wins() -> None:
    quotes = [quote("groundline", "7.74", 2), quote("swiftpost", "9.03", 1), quote("jetline", "15.00", 1)]

    assert choose_carrier(quotes, MONDAY, MONDAY + timedelta(days=1)).carrier == "swiftpost"
    assert choose_carrier(quotes, MONDAY, MONDAY + timedelta(days=2)).carrier == "groundline"


def test_when_nobody_keeps_the_promise_the_earliest_arrival_wins_then_the_cheaper() -> None:
    quotes = [quote("groundline", "7.74", 4), quote("swiftpost", "9.03", 3), quote("jetline", "8.00", 3)]

    assert choose_carrier(quotes, MONDAY, MONDAY + timedelta(days=1)).carrier == "jetline"


def test_a_price_tie_goes_to_the_faster_then_to_the_carrier_code_whatever_the_order_given() -> None:
    faster = [quote("b", "8.00", 2), quote("a", "8.00", 3)]
    same = [quote("b", "8.00", 2), quote("a", "8.00", 2)]

    assert choose_carrier(faster, MONDAY, None).carrier == "b"
    assert choose_carrier(same, MONDAY, None).carrier == "a"
    assert choose_carrier(list(reversed(same)), MONDAY, None).carrier == "a"


def test_no_quote_means_no_carrier() -> None:
    with pytest.raises(NoCarrier):
        choose_carrier([], MONDAY, None)


def test_a_carrier_variant_scales_prices_adds_days_and_keeps_its_services_and_reach() -> None:
    rates = ServiceRates({2: 10.0, 3: 12.0}, {2: 1.0, 3: 2.0}, {2: 1, 3: 2})
    base = RateTable({ServiceLevel.STANDARD: rates, ServiceLevel.EXPRESS: rates})

    variant = base.carrier_variant(0.5, {ServiceLevel.STANDARD: 1}, 2, frozenset({ServiceLevel.STANDARD}))

    assert variant.quote(ServiceLevel.STANDARD, 10, 3.0) == Quote(2, 6.0, 2)  # (10 + 1 × 2 extra kg) × 0.5, a day later
    assert variant.quote(ServiceLevel.STANDARD, 100, 1.0) is None  # zone 3 is beyond its reach
    assert variant.quote(ServiceLevel.EXPRESS, 10, 1.0) is None


# --------------------------------------------------------------------------------------------- tracking numbers


def test_the_s10_check_digit_matches_the_upu_example() -> None:
    assert s10_check_digit("47312482") == 9
    assert s10_tracking_number("GL", 47312482) == "GL473124829US"


@given(st.integers(min_value=0, max_value=10**8 - 1), st.sampled_from(["GL", "SW", "RR"]))
def test_every_number_made_is_carrier_shaped_and_checks(serial: int, prefix: str) -> None:
    number = s10_tracking_number(prefix, serial)

    assert len(number) == 13
    assert number.startswith(prefix)
    assert number.endswith("US")
    assert is_s10_tracking_number(number)


@pytest.mark.parametrize("text", ["GL473124828US", "GL473124829U", "G1473124829US", "GL47312482XUS", ""])
def test_a_mistyped_tracking_number_does_not_check(text: str) -> None:
    assert not is_s10_tracking_number(text)


@pytest.mark.parametrize(("prefix", "serial"), [("gl", 1), ("G", 1), ("G1", 1), ("GL", 10**8), ("GL", -1)])
def test_a_tracking_number_needs_two_capitals_and_an_8_digit_serial(prefix: str, serial: int) -> None:
    with pytest.raises(InvalidInput):
        s10_tracking_number(prefix, serial)


# ----------------------------------------------------------------------------------------------------- tracking

LEGAL = [(s, t) for s, targets in SHIPMENT_TRANSITIONS.items() for t in sorted(targets)]
ILLEGAL = [(s, t) for s, t in product(S, S) if t not in SHIPMENT_TRANSITIONS[s]]


def shipment(status: S = S.LABEL_CREATED, promised_by: date | None = date(2026, 11, 25),
             estimate: date | None = date(2026, 11, 26)) -> Shipment:
    return Shipment("shp_1", "ful_1", "ord_1", "ST-NYC", "groundline", ServiceLevel.STANDARD, "GL473124829US",
                    Decimal("7.74"), promised_by, estimate, status, SHIPPED_AT, (Parcel(Decimal("0.5")),))


def event(status: S, hours: float) -> TrackingEvent:
    return TrackingEvent(status, SHIPPED_AT + timedelta(hours=hours), None, "carrier:groundline")


def test_the_table_covers_every_status_and_delivered_is_final() -> None:
    assert set(SHIPMENT_TRANSITIONS) == set(S)
    assert SHIPMENT_TRANSITIONS[S.DELIVERED] == frozenset()
    assert len(LEGAL) + len(ILLEGAL) == len(S) ** 2
    assert all(t is not S.LABEL_CREATED for _, t in LEGAL)


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_every_legal_tracking_move_is_taken(current: S, target: S) -> None:
    parcel = shipment(current)

    parcel.track(event(target, 1), "America/New_York")

    assert (parcel.status, parcel.events) == (target, [event(target, 1)])


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_every_illegal_tracking_move_names_the_current_status_and_changes_nothing(current: S, target: S) -> None:
    parcel = shipment(current)

    with pytest.raises(InvalidTransition) as refused:
        parcel.track(event(target, 1), "America/New_York")

    assert refused.value.details["current_status"] == str(current)
    assert (parcel.status, parcel.events, parcel.delivered_at) == (current, [], None)


def test_an_event_older_than_the_last_one_is_out_of_order() -> None:
    parcel = shipment()
    parcel.track(event(S.IN_TRANSIT, 5), "America/New_York")

    with pytest.raises(InvalidTransition) as refused:
        parcel.track(event(S.OUT_FOR_DELIVERY, 4), "America/New_York")

    assert refused.value.details == {"current_status": "in_transit",
                                     "last_event_at": (SHIPPED_AT + timedelta(hours=5)).isoformat()}
    assert (parcel.status, len(parcel.events)) == (S.IN_TRANSIT, 1)


def test_on_time_is_the_promised_day_in_the_customers_calendar() -> None:
    # 07:30 UTC on the 26th is still the 25th, 23:30, in Los Angeles: the promise of the 25th is kept there.
    late_evening = TrackingEvent(S.DELIVERED, datetime(2026, 11, 26, 7, 30, tzinfo=UTC))
    in_la, in_ny = shipment(), shipment()

    in_la.track(late_evening, "America/Los_Angeles")
    in_ny.track(late_evening, "America/New_York")

    assert (in_la.on_time, in_ny.on_time) == (True, False)
    assert in_la.delivered_at == late_evening.at


def test_without_a_promise_on_time_is_measured_against_the_carriers_estimate_or_not_at_all() -> None:
    on_the_estimate = TrackingEvent(S.DELIVERED, datetime(2026, 11, 26, 18, 0, tzinfo=UTC))
    estimated, unknown = shipment(promised_by=None), shipment(promised_by=None, estimate=None)

    estimated.track(on_the_estimate, "America/New_York")
    unknown.track(on_the_estimate, "America/New_York")

    assert (estimated.due_by, estimated.on_time) == (date(2026, 11, 26), True)
    assert (unknown.due_by, unknown.on_time, unknown.status) == (None, None, S.DELIVERED)


@given(st.lists(st.sampled_from([s for s in S if s is not S.LABEL_CREATED]), max_size=12))
def test_any_feed_of_scans_keeps_the_shipment_consistent(feed: list[S]) -> None:
    parcel, accepted = shipment(), []
    for hour, status in enumerate(feed, start=1):
        before = parcel.status
        if status in SHIPMENT_TRANSITIONS[before]:
            parcel.track(event(status, hour), "America/New_York")
            accepted.append(status)
            continue
        with pytest.raises(InvalidTransition) as refused:
            parcel.track(event(status, hour), "America/New_York")
        assert (refused.value.details["current_status"], parcel.status) == (str(before), before)

    assert [e.status for e in parcel.events] == accepted
    assert parcel.status is (accepted[-1] if accepted else S.LABEL_CREATED)
    assert accepted.count(S.DELIVERED) <= 1
    assert S.DELIVERED not in accepted[:-1]
    assert (parcel.delivered_at is not None) == (parcel.status is S.DELIVERED)
