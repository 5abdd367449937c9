"""API keys: created by the CLI, stored only as a hash, each carrying a role and its scope."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from omnifill.adapters.ids import new_id
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.events import DomainEvent

KEY_PREFIX = "ofk_"


def hash_key(key: str) -> str:
    # Keys are 256 random bits, so a plain SHA-256 is enough: there is nothing to brute-force.
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(uow: UnitOfWork, role: str, now: datetime, label: str | None = None) -> tuple[str, Principal]:
    """Returns the key itself (shown once, never stored) and what it may do."""
    principal = Principal.parse(role)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with uow:
        key_id = new_id("key")
        uow.api_keys.add(key_id, hash_key(key), str(principal), label, now)
        uow.outbox.add([DomainEvent("api_key.created", "api_key", key_id, {"role": str(principal)}, now)])
        uow.commit()
    return key, principal


def authenticate(uow: UnitOfWork, key: str) -> Principal | None:
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    with uow.reading() as reader:
        stored = reader.api_keys.find(hash_key(key))
    return Principal.parse(stored.role) if stored else None
