"""The event stream's pure rules: cursors, type filters, ordering keys; webhook signatures and the retry schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from omnifill.domain.errors import InvalidInput
from omnifill.domain.event_stream import StoredEvent, cursor_for, matches, position_after, type_patterns
from omnifill.domain.webhooks import (
    Attempt,
    RetryPolicy,
    require_secret,
    require_webhook_url,
    signature,
    signature_header,
    verify_signature,
)
from tests.conftest import NOW


def event(type_: str = "order.placed", entity_type: str = "order", entity_id: str = "ord_1",
          **payload: object) -> StoredEvent:
    return StoredEvent(1, 1, type_, entity_type, entity_id, dict(payload), NOW)


@pytest.mark.parametrize("position", [0, 1, 42, 10**15])
def test_a_cursor_stands_for_its_position(position: int) -> None:
    assert position_after(cursor_for(position)) == position


def test_no_cursor_is_the_start_of_the_stream() -> None:
    assert position_after(None) == 0
    assert position_after("") == 0


@pytest.mark.parametrize("bad", ["nope", "!!!!", "cD*", "cC0xMg", "MQ", "cMKy"])
def test_a_cursor_this_api_did_not_give_is_refused_naming_the_field(bad: str) -> None:
    # "cC0xMg" is "p-12", "MQ" is "1" without its prefix, "cMK2" is "p²" (a digit, but not 0-9)
    with pytest.raises(InvalidInput) as refused:
        position_after(bad)
    assert refused.value.field == "after"


def test_type_filters_are_exact_types_or_prefixes() -> None:
    patterns = type_patterns("type", ["order.", "shipment.delivered"])
    assert patterns == ("order.", "shipment.delivered")
    assert matches("order.placed", patterns)
    assert matches("shipment.delivered", patterns)
    assert not matches("shipment.created", patterns)
    assert not matches("orders.placed", patterns)  # a prefix ends at the dot


def test_a_star_or_no_filter_matches_every_type() -> None:
    assert type_patterns("type", ["*", "order."]) == ()
    assert matches("bin.created", ())


@pytest.mark.parametrize("bad", ["Order.placed", "order..placed", "order.%", ".placed", "", "a" * 65])
def test_a_malformed_type_filter_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        type_patterns("type", [bad])
    assert refused.value.field == "type"


def test_events_about_an_order_share_its_ordering_key() -> None:
    assert event().ordering_key == "order:ord_1"
    assert event("fulfillment.packed", "fulfillment", "ful_9", order_id="ord_1").ordering_key == "order:ord_1"
    assert event("shipment.created", "shipment", "shp_3", order_id="ord_1").ordering_key == "order:ord_1"
    assert event("inventory.movement_recorded", "inventory", "TEE@NYC").ordering_key == "inventory:TEE@NYC"


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    # Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_0123456789abcdef
    expected = "9f5e37cdc7ea587c7c02062d93283cad000d66a831b2a1676418696db47ed6c2"
    assert signature("whsec_0123456789abcdef", 1700000000, b'{"a":1}') == expected
    assert signature_header("whsec_0123456789abcdef", 1700000000, b'{"a":1}') == f"t=1700000000,v1={expected}"


def test_a_receiver_accepts_a_fresh_signature_and_refuses_a_changed_body_an_old_one_or_another_secret() -> None:
    header = signature_header("whsec_0123456789abcdef", 1700000000, b"{}")
    assert verify_signature("whsec_0123456789abcdef", header, b"{}", now=1700000100)
    assert not verify_signature("whsec_0123456789abcdef", header, b"{ }", now=1700000100)
    assert not verify_signature("whsec_0123456789abcdef", header, b"{}", now=1700000000 + 301)
    assert not verify_signature("whsec_fedcba9876543210", header, b"{}", now=1700000100)
    assert not verify_signature("whsec_0123456789abcdef", "v1=abc", b"{}", now=1700000100)


def test_retries_wait_a_full_jitter_draw_under_a_doubling_capped_ceiling() -> None:
    policy = RetryPolicy(max_attempts=5, base=timedelta(seconds=10), cap=timedelta(seconds=60))
    assert policy.delay(1, 0.5) == timedelta(seconds=5)  # ceiling 10
    assert policy.delay(2, 0.5) == timedelta(seconds=10)  # ceiling 20
    assert policy.delay(3, 0.999) < timedelta(seconds=40)
    assert policy.delay(4, 1.0) == timedelta(seconds=60)  # 80, capped at 60
    assert policy.delay(50, 1.0) == timedelta(seconds=60)
    assert policy.delay(3, 0.0) == timedelta(0)
    assert not policy.is_last(4)
    assert policy.is_last(5)


def test_only_a_2xx_answer_is_a_delivery() -> None:
    assert Attempt(200).delivered
    assert Attempt(204).delivered
    assert not Attempt(301).delivered
    assert Attempt(503).problem() == "the receiver answered 503"
    assert Attempt(None, "ConnectError: refused").problem() == "ConnectError: refused"


@pytest.mark.parametrize("bad", ["ftp://example.com/hook", "example.com/hook", "http://", "https://u:p@example.com/",
                                 "http://[::1/hook", "http://example.com:99999/", "http://exa mple.com/",
                                 "http://example.com/" + "a" * 2000])
def test_a_webhook_url_must_be_plain_http_or_https(bad: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        require_webhook_url(bad)
    assert refused.value.field == "url"


def test_a_given_secret_must_be_long_enough() -> None:
    assert require_secret("s" * 16) == "s" * 16
    with pytest.raises(InvalidInput) as refused:
        require_secret("short")
    assert refused.value.field == "secret"
