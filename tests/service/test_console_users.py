from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from omnifill.adapters.sql.tables import console_sessions, console_users
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.errors import AlreadyExists, InvalidInput, NotFound
from omnifill.services.users import create_user, session_for, set_password, sign_in, sign_out
from tests.conftest import NOW

PASSWORD = "a long enough passphrase"
HOURS = timedelta(hours=12)


def test_a_user_signs_in_with_the_password_given_at_creation(uow: UnitOfWork) -> None:
    create_user(uow, "Ana", "store:ST-NYC", PASSWORD, NOW)
    opened = sign_in(uow, "ANA", PASSWORD, NOW, HOURS)
    assert opened is not None
    token, session = opened
    assert str(session.user.principal) == "store:ST-NYC"
    found = session_for(uow, token, NOW + timedelta(hours=1))
    assert found is not None
    assert found.user.username == "ana"
    assert found.csrf_token == session.csrf_token


def test_the_password_is_stored_only_as_an_argon2id_hash(uow: UnitOfWork) -> None:
    create_user(uow, "ana", "operator", PASSWORD, NOW)
    with uow.engine.connect() as connection:
        stored = connection.execute(select(console_users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


@pytest.mark.parametrize(("username", "password"), [("ana", "not the passphrase"), ("bob", PASSWORD), ("", "")])
def test_a_wrong_name_or_password_opens_no_session(uow: UnitOfWork, username: str, password: str) -> None:
    create_user(uow, "ana", "operator", PASSWORD, NOW)
    assert sign_in(uow, username, password, NOW, HOURS) is None
    with uow.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(console_sessions)).scalar_one() == 0


def test_a_disabled_user_cannot_sign_in_and_their_open_sessions_stop_working(uow: UnitOfWork) -> None:
    create_user(uow, "ana", "operator", PASSWORD, NOW)
    opened = sign_in(uow, "ana", PASSWORD, NOW, HOURS)
    assert opened is not None
    with uow.engine.begin() as connection:
        connection.execute(update(console_users).values(disabled=True))
    assert session_for(uow, opened[0], NOW) is None
    assert sign_in(uow, "ana", PASSWORD, NOW, HOURS) is None


def test_a_session_expires_and_signing_out_ends_it(uow: UnitOfWork) -> None:
    create_user(uow, "ana", "admin", PASSWORD, NOW)
    first = sign_in(uow, "ana", PASSWORD, NOW, HOURS)
    second = sign_in(uow, "ana", PASSWORD, NOW, HOURS)
    assert first is not None
    assert second is not None
    assert session_for(uow, first[0], NOW + HOURS) is None
    sign_out(uow, second[0])
    assert session_for(uow, second[0], NOW) is None
    assert session_for(uow, "not-a-token", NOW) is None


def test_usernames_are_unique_whatever_their_case(uow: UnitOfWork) -> None:
    create_user(uow, "ana", "admin", PASSWORD, NOW)
    with pytest.raises(AlreadyExists):
        create_user(uow, "ANA", "operator", PASSWORD, NOW)


def test_a_refused_user_writes_nothing(uow: UnitOfWork) -> None:
    with pytest.raises(InvalidInput):
        create_user(uow, "ana", "channel:web", PASSWORD, NOW)
    with pytest.raises(InvalidInput):
        create_user(uow, "ana", "admin", "short", NOW)
    with uow.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(console_users)).scalar_one() == 0


def test_a_new_password_ends_every_open_session_and_the_old_one_stops_working(uow: UnitOfWork) -> None:
    create_user(uow, "ana", "admin", PASSWORD, NOW)
    opened = sign_in(uow, "ana", PASSWORD, NOW, HOURS)
    assert opened is not None
    set_password(uow, "Ana", "another long passphrase", NOW)
    assert session_for(uow, opened[0], NOW) is None
    assert sign_in(uow, "ana", PASSWORD, NOW, HOURS) is None
    assert sign_in(uow, "ana", "another long passphrase", NOW, HOURS) is not None
    with pytest.raises(NotFound):
        set_password(uow, "nobody", "another long passphrase", NOW)
