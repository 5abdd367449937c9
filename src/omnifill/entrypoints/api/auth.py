"""Bearer-key authentication; the verified principal is cached briefly so a request costs no extra query."""

from __future__ import annotations

import threading
import time
from typing import Annotated

from fastapi import Depends, Request
from fastapi.exceptions import HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.services.access import authenticate, hash_key


class KeyCache:
    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def get(self, key_hash: str) -> Principal | None:
        entry = self._entries.get(key_hash)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, key_hash: str, principal: Principal) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key_hash] = (principal, time.monotonic() + self._seconds)


def unit_of_work(request: Request) -> UnitOfWork:
    return UnitOfWork(request.app.state.engine)


Uow = Annotated[UnitOfWork, Depends(unit_of_work)]


_bearer = HTTPBearer(auto_error=False, description="An API key from `omnifill keys create --role ROLE`")


def current_principal(
    request: Request, uow: Uow, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None or not credentials.credentials.strip():
        raise HTTPException(401, "send an API key as `Authorization: Bearer <key>`", {"WWW-Authenticate": "Bearer"})
    key = credentials.credentials.strip()
    cache: KeyCache = request.app.state.key_cache
    key_hash = hash_key(key)
    principal = cache.get(key_hash)
    if principal is None:
        principal = authenticate(uow, key)
        if principal is None:
            raise HTTPException(401, "unknown or revoked API key", {"WWW-Authenticate": "Bearer"})
        cache.put(key_hash, principal)
    return principal


Caller = Annotated[Principal, Depends(current_principal)]
