"""Console users: created from the CLI, signed in with a password, kept signed in by a session cookie."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from omnifill.adapters.passwords import hash_password, needs_rehash, verify_password
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.errors import AlreadyExists, InvalidInput, NotFound
from omnifill.domain.events import DomainEvent
from omnifill.domain.users import (
    ConsoleSession,
    ConsoleUser,
    check_password,
    console_principal,
    normalized_username,
)
from omnifill.services.access import hash_key


def create_user(uow: UnitOfWork, username: str, role: str, password: str, now: datetime) -> ConsoleUser:
    user = ConsoleUser(normalized_username(username), console_principal(role))
    check_password(password)
    password_hash = hash_password(password)  # slow on purpose: outside the transaction
    with uow:
        if uow.console_users.exists(user.username):
            raise AlreadyExists(f"user {user.username} already exists", username=user.username)
        uow.console_users.add(user, password_hash, now)
        uow.outbox.add([DomainEvent("console_user.created", "console_user", user.username,
                                    {"role": str(user.principal)}, now)])
        uow.commit()
    return user


def set_password(uow: UnitOfWork, username: str, password: str, now: datetime) -> None:
    """A new password; every session the user had open ends."""
    name = normalized_username(username)
    check_password(password)
    password_hash = hash_password(password)
    with uow:
        if not uow.console_users.exists(name):
            raise NotFound(f"no user {name}", username=name)
        uow.console_users.set_password_hash(name, password_hash)
        uow.console_users.close_sessions_of(name)
        uow.outbox.add([DomainEvent("console_user.password_changed", "console_user", name, {}, now)])
        uow.commit()


def sign_in(uow: UnitOfWork, username: str, password: str, now: datetime, lifetime: timedelta
            ) -> tuple[str, ConsoleSession] | None:
    """The new session's cookie token (shown once) and the session; None when the name or password is wrong or
    the user is disabled, without saying which."""
    try:
        name = normalized_username(username)
    except InvalidInput:
        name = ""
    with uow.reading() as reader:
        found = reader.console_users.credentials(name) if name else None
    stored_hash = found[1] if found else None
    if not verify_password(stored_hash, password) or found is None or found[0].disabled:
        return None
    user = found[0]
    token = secrets.token_urlsafe(32)
    session = ConsoleSession(hash_key(token), user, secrets.token_urlsafe(32), now + lifetime)
    with uow:
        uow.console_users.open_session(session, now)
        if stored_hash and needs_rehash(stored_hash):
            uow.console_users.set_password_hash(user.username, hash_password(password))
        uow.console_users.close_expired(now)
        uow.commit()
    return token, session


def session_for(uow: UnitOfWork, token: str, now: datetime) -> ConsoleSession | None:
    if not token or len(token) > 200:
        return None
    with uow.reading() as reader:
        session = reader.console_users.session(hash_key(token))
    return session if session is not None and session.is_live(now) else None


def sign_out(uow: UnitOfWork, token: str) -> None:
    with uow:
        uow.console_users.close_session(hash_key(token))
        uow.commit()
