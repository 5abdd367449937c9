from datetime import UTC, datetime, timedelta

import pytest

from omnifill.domain.access import Principal, Role
from omnifill.domain.errors import InvalidInput
from omnifill.domain.users import (
    ConsoleSession,
    ConsoleUser,
    check_password,
    console_principal,
    normalized_username,
)

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_usernames_are_matched_whatever_their_case_and_surrounding_blanks() -> None:
    assert normalized_username("  Ana.Lopez@Store ") == "ana.lopez@store"


@pytest.mark.parametrize("name", ["", "a", "-ana", "ana lopez", "ana/../x", "x" * 101, "ana\x00"])
def test_a_username_outside_the_allowed_shape_is_refused_naming_the_field(name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalized_username(name)
    assert refused.value.field == "username"


@pytest.mark.parametrize("password", ["short", "x" * 11, "x" * 1025])
def test_passwords_shorter_than_12_or_absurdly_long_are_refused(password: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_password(password)
    assert refused.value.field == "password"


def test_a_long_passphrase_is_accepted() -> None:
    check_password("correct horse battery staple " * 10)


@pytest.mark.parametrize("role", ["admin", "operator", "store:ST-NYC"])
def test_people_are_admins_operators_or_associates_of_one_store(role: str) -> None:
    assert str(console_principal(role)) == role


@pytest.mark.parametrize("role", ["channel:web", "vendor:DS-1", "carrier:groundline", "root", "store:"])
def test_integration_roles_are_not_for_people(role: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        console_principal(role)
    assert refused.value.field == "role"


def test_a_session_ends_at_its_expiry_or_when_its_user_is_disabled() -> None:
    user = ConsoleUser("ana", Principal(Role.OPERATOR))
    session = ConsoleSession("h", user, "csrf", NOW + timedelta(hours=1))
    assert session.is_live(NOW)
    assert not session.is_live(NOW + timedelta(hours=1))
    disabled = ConsoleSession("h", ConsoleUser("ana", Principal(Role.OPERATOR), disabled=True), "csrf",
                              NOW + timedelta(hours=1))
    assert not disabled.is_live(NOW)
