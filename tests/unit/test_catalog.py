"""SKUs: GS1 check digits and the values a SKU may carry."""

from __future__ import annotations

from decimal import Decimal

import pytest

from omnifill.domain.catalog import Sku, gtin_check_digit, is_valid_gtin, validate_gtin
from omnifill.domain.errors import InvalidInput

# Real, published GTINs (EAN-8, UPC-A, EAN-13 incl. an ISBN-13, GTIN-14 case codes).
VALID_GTINS = [
    "96385074",
    "73513537",
    "036000291452",
    "012345678905",
    "4006381333931",
    "5901234123457",
    "9780306406157",
    "10012345678902",
    "40700719670720",
]


def sku(**changes: object) -> Sku:
    values: dict[str, object] = {
        "code": "TEE-BLK-M", "name": "Tee black M", "unit_cost": Decimal("4.00"),
        "unit_price": Decimal("12.00"), "weight_kg": Decimal("0.250"), "gtin": None,
    }
    values.update(changes)
    return Sku(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("gtin", VALID_GTINS)
def test_published_gtins_are_valid(gtin: str) -> None:
    assert is_valid_gtin(gtin)
    assert validate_gtin(gtin) == gtin
    assert gtin_check_digit(gtin[:-1]) == int(gtin[-1])


@pytest.mark.parametrize("gtin", VALID_GTINS)
def test_every_other_check_digit_is_refused(gtin: str) -> None:
    wrong = [gtin[:-1] + str(d) for d in range(10) if str(d) != gtin[-1]]

    assert [is_valid_gtin(g) for g in wrong] == [False] * 9


@pytest.mark.parametrize(
    ("body", "check"),
    [("400638133393", 1), ("03600029145", 2), ("9638507", 4), ("1001234567890", 2), ("000000000000", 0)],
)
def test_check_digit_weights_three_one_from_the_right(body: str, check: int) -> None:
    assert gtin_check_digit(body) == check


@pytest.mark.parametrize(
    "gtin",
    [
        "4006381333932",  # wrong check digit
        "4006381333913",  # two digits swapped
        "400638133393A",  # a letter
        " 4006381333931",  # padded
        "-400638133393",
        "4006381333931\n",
        "４００６３８１３３３９３１",  # full-width digits: digits to str.isdigit, not to GS1
        "4006381333931".replace("3", "³", 1),  # a superscript digit
        "",
        "0",
        "1234567",  # 7 digits
        "123456789012345",  # 15 digits
        "00123456789013",  # 14 digits, wrong check digit (2 is right)
    ],
)
def test_invalid_gtins_are_refused(gtin: str) -> None:
    assert not is_valid_gtin(gtin)
    with pytest.raises(InvalidInput) as refused:
        validate_gtin(gtin)
    assert refused.value.field == "gtin"
    assert refused.value.details == {
        "errors": [{"field": "gtin", "problem": "must be 8, 12, 13 or 14 digits with a valid GS1 check digit"}]
    }


@pytest.mark.parametrize("gtin", ["036000291452", "96385074"])
def test_zero_padding_to_a_longer_gtin_keeps_it_valid(gtin: str) -> None:
    assert [is_valid_gtin(gtin.zfill(n)) for n in (12, 13, 14)] == [True, True, True]


@pytest.mark.parametrize("length", [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 15, 16, 18])
def test_lengths_other_than_8_12_13_14_are_refused_even_with_a_good_check_digit(length: int) -> None:
    body = "1" * (length - 1)
    gtin = body + str(gtin_check_digit(body))

    assert not is_valid_gtin(gtin)


def test_a_sku_without_gtin_and_zero_values_is_accepted() -> None:
    made = sku(unit_cost=Decimal(0), unit_price=Decimal(0), weight_kg=Decimal(0))

    assert (made.code, made.gtin, made.unit_cost, made.unit_price, made.weight_kg) == (
        "TEE-BLK-M", None, Decimal(0), Decimal(0), Decimal(0)
    )


def test_a_sku_keeps_a_valid_gtin() -> None:
    assert sku(gtin="4006381333931").gtin == "4006381333931"


def test_a_sku_with_a_bad_gtin_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        sku(gtin="4006381333932")
    assert refused.value.field == "gtin"


@pytest.mark.parametrize("field", ["unit_cost", "unit_price", "weight_kg"])
def test_a_negative_amount_is_refused_naming_its_field(field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        sku(**{field: Decimal("-0.01")})
    assert refused.value.field == field
    assert refused.value.problem == "must not be negative"
    assert refused.value.code == "invalid_input"


@pytest.mark.parametrize("field", ["unit_cost", "unit_price", "weight_kg"])
def test_a_not_a_number_amount_is_refused_as_invalid_input(field: str) -> None:
    # Decimal("NaN") < 0 raises decimal.InvalidOperation; the domain must answer with its own error.
    with pytest.raises(InvalidInput) as refused:
        sku(**{field: Decimal("NaN")})
    assert refused.value.field == field
