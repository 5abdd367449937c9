"""Customer identities: every channel's way of writing an e-mail, a phone number or a loyalty card is one value."""

from __future__ import annotations

from datetime import timedelta

import pytest

from omnifill.domain.customers import (
    Identity,
    IdentityKind,
    ProfileStub,
    identities_of,
    merge_survivor,
    normalize_email,
    normalize_loyalty_id,
    normalize_phone,
)
from tests.conftest import NOW


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("pat@example.com", "pat@example.com"),
        ("  Pat.Lee@Example.COM ", "pat.lee@example.com"),
        ("p.a.t+shoes@gmail.com", "p.a.t+shoes@gmail.com"),  # no provider rules: dots and tags stay
        ("no-at-sign.example.com", None),
        ("two@@example.com", None),
        ("pat lee@example.com", None),
        ("", None),
        (None, None),
    ],
)
def test_an_email_is_stripped_and_lower_cased(raw: str | None, normalized: str | None) -> None:
    assert normalize_email(raw) == normalized


@pytest.mark.parametrize(
    "raw",
    ["(212) 555-0100", "+1 212-555-0100", "212.555.0100", "2125550100", "1-212-555-0100", "+1 (212) 555 0100",
     "+12125550100 ext. 5"],
)
def test_every_way_of_writing_a_us_number_is_one_e164_value(raw: str) -> None:
    assert normalize_phone(raw) == "+12125550100"


def test_a_number_with_its_country_code_is_read_in_that_country() -> None:
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"
    assert normalize_phone("020 7946 0958", "GB") == "+442079460958"


@pytest.mark.parametrize("raw", ["555-0100", "12", "abc", "+1 212 555 010", "020 7946 0958", "", "   ", None])
def test_a_number_that_is_no_valid_phone_number_is_no_identity(raw: str | None) -> None:
    assert normalize_phone(raw) is None


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [("abc-123 456", "ABC123456"), ("  L0Y4L ", "L0Y4L"), (" - ", None), ("", None), (None, None)],
)
def test_a_loyalty_id_loses_its_separators_and_case(raw: str | None, normalized: str | None) -> None:
    assert normalize_loyalty_id(raw) == normalized


def test_identities_keep_only_the_usable_values_in_a_fixed_order() -> None:
    assert identities_of(email="Pat@Example.com", phone="not a phone", loyalty_id="l-1") == (
        Identity(IdentityKind.EMAIL, "pat@example.com"), Identity(IdentityKind.LOYALTY_ID, "L1"))
    assert identities_of(phone="(212) 555-0100") == (Identity(IdentityKind.PHONE, "+12125550100"),)
    assert identities_of() == ()


def test_when_profiles_merge_the_oldest_stays() -> None:
    old, new = ProfileStub("cus_B", NOW), ProfileStub("cus_A", NOW + timedelta(seconds=1))

    assert merge_survivor([new, old]) == old
    assert merge_survivor([old, new]) == old


def test_profiles_made_at_the_same_moment_keep_the_smaller_id() -> None:
    assert merge_survivor([ProfileStub("cus_B", NOW), ProfileStub("cus_A", NOW)]).id == "cus_A"
