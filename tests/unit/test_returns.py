"""Return authorizations: what may still come back, the checks that name the line, the state machine, where each
received unit goes, and the refund arithmetic."""

from __future__ import annotations

from copy import deepcopy
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omnifill.adapters.return_policy import load_return_policy, return_policy_from
from omnifill.domain.errors import InvalidInput, InvalidTransition
from omnifill.domain.locations import Capability, GeoPoint, Location, LocationKind
from omnifill.domain.return_policy import ReasonRule, ReturnedUnits, ReturnPolicy, Shipping, refund_for
from omnifill.domain.returns import (
    Condition,
    Delivered,
    Disposition,
    ReceivedLine,
    RequestedLine,
    ReturnAuthorization,
    ReturnLine,
    ReturnMethod,
    ReturnStatus,
    check_request,
    disposition_for,
    nearest_returns_location,
    returnable,
)

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
POLICY = ReturnPolicy(
    window_days=30, channel_window_days={"marketplace": 14}, sku_window_days={"TV": 15},
    final_sale_skus=frozenset({"CLEARANCE"}),
    reasons={"damaged": ReasonRule(Decimal(0), retailer_at_fault=True),
             "no_longer_needed": ReasonRule(Decimal(10)), "size_fit": ReasonRule()},
)
DELIVERED = {"TEE": Delivered(3, date(2026, 11, 20)), "TV": Delivered(1, date(2026, 11, 1)),
             "CLEARANCE": Delivered(1, date(2026, 11, 20))}


def rma(status: ReturnStatus, *lines: ReturnLine) -> ReturnAuthorization:
    return ReturnAuthorization("rma_1", "ord_1", "web", ReturnMethod.MAIL, status, list(lines), NOW, "admin")


def refused_field(lines: list[RequestedLine], earlier: list[ReturnAuthorization] | None = None,
                  channel: str = "web", today: date = date(2026, 11, 25)) -> str:
    with pytest.raises(InvalidInput) as refused:
        check_request(lines, channel, DELIVERED, earlier or [], POLICY, today)
    return refused.value.field


def test_returnable_is_delivered_less_open_authorizations_and_units_received_on_settled_ones() -> None:
    earlier = [
        rma(ReturnStatus.AUTHORIZED, ReturnLine("TEE", 1, "size_fit")),  # all of it held while open
        rma(ReturnStatus.REFUNDED, ReturnLine("TEE", 2, "size_fit", received=1)),  # only what came back
        rma(ReturnStatus.EXPIRED, ReturnLine("TV", 1, "damaged")),  # nothing came back: nothing held
    ]

    assert returnable(DELIVERED, earlier) == {"TEE": 1, "TV": 1, "CLEARANCE": 1}


def test_a_request_within_what_was_delivered_and_inside_the_window_passes() -> None:
    check_request([RequestedLine("TEE", 3, "size_fit")], "web", DELIVERED, [], POLICY, date(2026, 12, 20))


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([RequestedLine("TEE", 4, "size_fit")], "lines[0].quantity"),
        ([RequestedLine("TEE", 1, "size_fit"), RequestedLine("MUG", 1, "size_fit")], "lines[1].sku"),
        ([RequestedLine("TEE", 1, "bored")], "lines[0].reason"),
        ([RequestedLine("CLEARANCE", 1, "damaged")], "lines[0].sku"),
        ([RequestedLine("TEE", 1, "size_fit"), RequestedLine("TEE", 1, "damaged")], "lines[1].sku"),
        ([], "lines"),
    ],
)
def test_each_refused_line_is_named(lines: list[RequestedLine], field: str) -> None:
    assert refused_field(lines) == field


def test_units_already_authorized_cannot_be_authorized_again() -> None:
    earlier = [rma(ReturnStatus.AUTHORIZED, ReturnLine("TEE", 3, "size_fit"))]

    assert refused_field([RequestedLine("TEE", 1, "size_fit")], earlier) == "lines[0].quantity"


def test_the_window_counts_from_delivery_with_the_skus_window_before_the_channels() -> None:
    tee = [RequestedLine("TEE", 1, "size_fit")]
    check_request(tee, "web", DELIVERED, [], POLICY, date(2026, 12, 20))  # the 30th day is still inside
    assert refused_field(tee, today=date(2026, 12, 21)) == "lines[0].sku"
    check_request(tee, "marketplace", DELIVERED, [], POLICY, date(2026, 12, 4))
    assert refused_field(tee, channel="marketplace", today=date(2026, 12, 5)) == "lines[0].sku"
    assert refused_field([RequestedLine("TV", 1, "damaged")], today=date(2026, 11, 17)) == "lines[0].sku"


def test_receiving_moves_the_status_with_what_is_outstanding() -> None:
    found = rma(ReturnStatus.AUTHORIZED, ReturnLine("TEE", 2, "size_fit"), ReturnLine("TV", 1, "damaged"))
    sellable = Disposition.RESTOCK

    found.receive([ReceivedLine("TEE", 1, Condition.SELLABLE, sellable)])
    assert (found.status, found.received_units) == (ReturnStatus.PARTIALLY_RECEIVED, 1)
    found.receive([ReceivedLine("TEE", 1, Condition.SELLABLE, sellable),
                   ReceivedLine("TV", 1, Condition.DAMAGED, Disposition.QUARANTINE)])
    assert (found.status, found.received_units) == (ReturnStatus.RECEIVED, 3)

    with pytest.raises(InvalidTransition) as refused:
        found.receive([ReceivedLine("TEE", 1, Condition.SELLABLE, sellable)])
    assert refused.value.details["current_status"] == "received"
    found.move(ReturnStatus.REFUNDED)
    with pytest.raises(InvalidTransition):
        found.move(ReturnStatus.REFUNDED)


def test_a_receipt_over_what_is_expected_names_the_line_and_changes_nothing() -> None:
    found = rma(ReturnStatus.AUTHORIZED, ReturnLine("TEE", 2, "size_fit"))

    with pytest.raises(InvalidInput) as refused:
        found.receive([ReceivedLine("TEE", 1, Condition.SELLABLE, Disposition.RESTOCK),
                       ReceivedLine("TEE", 2, Condition.DAMAGED, Disposition.DISPOSE)])

    assert refused.value.field == "lines[1].quantity"
    assert (found.status, found.received_units) == (ReturnStatus.AUTHORIZED, 0)


def test_only_a_sellable_unit_is_restocked() -> None:
    assert disposition_for(Condition.SELLABLE, None, "d") is Disposition.RESTOCK
    assert disposition_for(Condition.DAMAGED, None, "d") is Disposition.QUARANTINE
    assert disposition_for(Condition.DEFECTIVE, None, "d") is Disposition.RETURN_TO_VENDOR
    assert disposition_for(Condition.DAMAGED, Disposition.DISPOSE, "d") is Disposition.DISPOSE
    assert disposition_for(Condition.REFURBISH, None, "d") is Disposition.REFURBISH
    with pytest.raises(InvalidInput) as refused:
        disposition_for(Condition.SELLABLE, Disposition.DISPOSE, "lines[2].disposition")
    assert refused.value.field == "lines[2].disposition"


def test_mail_returns_go_to_the_nearest_warehouse_that_takes_them() -> None:
    def place(code: str, kind: LocationKind, lat: float, takes: bool = True) -> Location:
        capabilities = frozenset({Capability.RETURNS} if takes else {Capability.SHIP})
        return Location(code, code, kind, GeoPoint(lat, -75.0), "10001", "US", "America/New_York", capabilities)

    near_store = place("ST", LocationKind.STORE, 40.0)
    far_warehouse = place("WH-FAR", LocationKind.WAREHOUSE, 45.0)
    closed_warehouse = place("WH-NEAR", LocationKind.WAREHOUSE, 40.1, takes=False)
    customer = GeoPoint(40.0, -75.0)

    assert nearest_returns_location([near_store, far_warehouse, closed_warehouse], customer) == far_warehouse
    assert nearest_returns_location([near_store, closed_warehouse], customer) == near_store
    assert nearest_returns_location([closed_warehouse], customer) is None


# ----------------------------------------------------------------------------------------------------- refunds


def test_a_refund_is_the_price_paid_less_the_reasons_restocking_fee() -> None:
    refund = refund_for([ReturnedUnits("TEE", 3, "no_longer_needed", Decimal("19.99"))], POLICY)

    [line] = refund.lines
    assert (line.amount, line.restocking_fee, line.refund) == (Decimal("59.97"), Decimal("6.00"), Decimal("53.97"))
    assert (refund.restocking_fee, refund.shipping, refund.total) == (Decimal("6.00"), Decimal(0), Decimal("53.97"))


def test_the_retailers_fault_refunds_its_share_of_shipping_and_charges_no_fee() -> None:
    returned = [ReturnedUnits("TEE", 1, "damaged", Decimal("12.00")),
                ReturnedUnits("TV", 1, "size_fit", Decimal("100.00"))]

    refund = refund_for(returned, POLICY, Shipping(Decimal("10.00"), 3))

    # one of the three units shipped was the retailer's fault: a third of 10.00, to the cent
    assert (refund.restocking_fee, refund.shipping, refund.total) == (Decimal(0), Decimal("3.33"), Decimal("115.33"))


def test_the_shipped_policy_reads_and_a_broken_one_is_refused_by_name() -> None:
    policy = load_return_policy()
    assert policy.window_days == 30
    assert policy.reasons["no_longer_needed"] == ReasonRule(Decimal(10), retailer_at_fault=False)
    assert policy.reasons["wrong_item"].retailer_at_fault
    with pytest.raises(InvalidInput) as refused:
        return_policy_from({"window_days": 30})
    assert refused.value.field == "return_policy_file"
    with pytest.raises(InvalidInput) as refused:
        return_policy_from({"reasons": {"x": {"restocking_fee_percent": "120"}}})
    assert refused.value.field == "restocking_fee_percent"


# ------------------------------------------------------------------------------------------------- properties

steps = st.lists(st.tuples(st.sampled_from(["authorize", "receive", "refund", "close", "cancel", "expire"]),
                           st.integers(min_value=0, max_value=5), st.integers(min_value=1, max_value=4)),
                 max_size=25)


@given(delivered_units=st.integers(min_value=0, max_value=8), script=steps)
def test_no_sequence_of_moves_lets_more_come_back_than_was_delivered(
    delivered_units: int, script: list[tuple[str, int, int]],
) -> None:
    delivered = {"TEE": Delivered(delivered_units, date(2026, 11, 20))}
    rmas: list[ReturnAuthorization] = []
    for move, which, units in script:
        before = deepcopy(rmas)
        try:
            if move == "authorize":
                check_request([RequestedLine("TEE", units, "size_fit")], "web", delivered, rmas, POLICY,
                              date(2026, 11, 25))
                rmas.append(rma(ReturnStatus.AUTHORIZED, ReturnLine("TEE", units, "size_fit")))
            elif rmas and move == "receive":
                rmas[which % len(rmas)].receive([ReceivedLine("TEE", units, Condition.SELLABLE, Disposition.RESTOCK)])
            elif rmas:
                target = {"refund": ReturnStatus.REFUNDED, "close": ReturnStatus.CLOSED,
                          "cancel": ReturnStatus.CANCELLED, "expire": ReturnStatus.EXPIRED}[move]
                rmas[which % len(rmas)].move(target)
        except (InvalidInput, InvalidTransition):
            assert rmas == before  # refused: nothing changed

        assert 0 <= returnable(delivered, rmas)["TEE"] <= delivered_units
        assert sum(r.received_units for r in rmas) <= delivered_units
        assert all(0 <= ln.received <= ln.quantity for r in rmas for ln in r.lines)
