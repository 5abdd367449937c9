"""People who sign in to the console. Each holds a role like an API key's: admin, operator, or store:<code> for
an associate of one store, who then sees and acts on that store only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from omnifill.domain.access import Principal, Role
from omnifill.domain.errors import InvalidInput

_USERNAME = re.compile(r"[a-z0-9][a-z0-9_.@+\-]{1,99}")
# NIST SP 800-63B: at least 8 characters, allow long passphrases; we ask for 12 since these accounts move stock.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length, but a megabyte password is an attack, not a password


def normalized_username(text: str) -> str:
    """Usernames are matched case-insensitively (people type `Ana` and `ana`), so they are stored lowercase."""
    name = text.strip().lower()
    if not _USERNAME.fullmatch(name):
        raise InvalidInput("username", "2 to 100 characters: letters, digits and _ . @ + -, starting with a "
                                       "letter or digit")
    return name


def console_principal(role: str) -> Principal:
    """People are admins, operators or associates of one store; channels, vendors and carriers use API keys."""
    principal = Principal.parse(role)
    if principal.role not in (Role.ADMIN, Role.OPERATOR, Role.STORE):
        raise InvalidInput("role", "a console user is admin, operator or store:<location code>")
    return principal


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput("password", f"must be at most {MAX_PASSWORD_LENGTH} characters")


@dataclass(frozen=True, slots=True)
class ConsoleUser:
    username: str
    principal: Principal
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    """A signed-in browser. Only the hash of its cookie token is stored; the CSRF token goes into every form."""

    token_hash: str
    user: ConsoleUser
    csrf_token: str
    expires_at: datetime

    def is_live(self, now: datetime) -> bool:
        return now < self.expires_at and not self.user.disabled
