"""Who is signed in, and the CSRF checks on the forms they send."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from omnifill.domain.users import ConsoleSession
from omnifill.entrypoints.api.auth import Uow
from omnifill.services.users import session_for

SESSION_COOKIE = "omnifill_session"
SIGN_IN_CSRF_COOKIE = "omnifill_signin_csrf"


class SignInRequired(Exception):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


async def send_to_sign_in(request: Request, error: Exception) -> Response:
    assert isinstance(error, SignInRequired)
    return RedirectResponse(f"/login?next={quote(error.path, safe='/')}", status_code=303)


def signed_in(request: Request, uow: Uow) -> ConsoleSession:
    session = session_for(uow, request.cookies.get(SESSION_COOKIE, ""), datetime.now(UTC))
    if session is None:
        raise SignInRequired(request.url.path)
    return session


Person = Annotated[ConsoleSession, Depends(signed_in)]


def csrf_checked(session: Person, csrf_token: Annotated[str, Form()] = "") -> ConsoleSession:
    """A form that changes something must carry the token only pages of this session know."""
    if not hmac.compare_digest(csrf_token.encode(), session.csrf_token.encode()):
        raise HTTPException(403, "this form has expired or did not come from omnifill; reload the page")
    return session


CheckedPerson = Annotated[ConsoleSession, Depends(csrf_checked)]


def is_https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", secure=is_https(request),
                        path="/")
