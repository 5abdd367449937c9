"""Console users and their sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from omnifill.adapters.sql.tables import console_sessions, console_users
from omnifill.domain.access import Principal
from omnifill.domain.users import ConsoleSession, ConsoleUser


class ConsoleUserRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, user: ConsoleUser, password_hash: str, now: datetime) -> None:
        self._c.execute(insert(console_users).values(
            username=user.username, password_hash=password_hash, role=str(user.principal),
            disabled=user.disabled, created_at=now))

    def exists(self, username: str) -> bool:
        found = self._c.execute(select(console_users.c.username).where(console_users.c.username == username))
        return found.first() is not None

    def credentials(self, username: str) -> tuple[ConsoleUser, str] | None:
        """The user and their password hash, for signing in."""
        row = self._c.execute(select(console_users).where(console_users.c.username == username)).mappings().first()
        if row is None:
            return None
        return ConsoleUser(row["username"], Principal.parse(row["role"]), row["disabled"]), row["password_hash"]

    def set_password_hash(self, username: str, password_hash: str) -> None:
        self._c.execute(update(console_users).where(console_users.c.username == username)
                        .values(password_hash=password_hash))

    def open_session(self, session: ConsoleSession, now: datetime) -> None:
        self._c.execute(insert(console_sessions).values(
            token_hash=session.token_hash, username=session.user.username, csrf_token=session.csrf_token,
            created_at=now, expires_at=session.expires_at))

    def session(self, token_hash: str) -> ConsoleSession | None:
        row = self._c.execute(
            select(console_sessions.c.csrf_token, console_sessions.c.expires_at, console_users.c.username,
                   console_users.c.role, console_users.c.disabled)
            .join(console_users, console_users.c.username == console_sessions.c.username)
            .where(console_sessions.c.token_hash == token_hash)
        ).mappings().first()
        if row is None:
            return None
        user = ConsoleUser(row["username"], Principal.parse(row["role"]), row["disabled"])
        return ConsoleSession(token_hash, user, row["csrf_token"], row["expires_at"])

    def close_session(self, token_hash: str) -> None:
        self._c.execute(delete(console_sessions).where(console_sessions.c.token_hash == token_hash))

    def close_sessions_of(self, username: str) -> None:
        self._c.execute(delete(console_sessions).where(console_sessions.c.username == username))

    def close_expired(self, now: datetime) -> int:
        return self._c.execute(delete(console_sessions).where(console_sessions.c.expires_at <= now)).rowcount
