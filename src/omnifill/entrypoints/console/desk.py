"""What the desk pages (orders, inventory, routing) share: page sizes, and refusals rendered as pages."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from omnifill.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from omnifill.domain.users import ConsoleSession
from omnifill.entrypoints.console.pages import render

MAX_PAGE = 200


def page_limit(text: str | None, default: int) -> int:
    """`?limit=`: rows a page shows, 1 to 200."""
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise InvalidInput("limit", f"must be a whole number from 1 to {MAX_PAGE}")
    return int(text)


def refused_page(request: Request, session: ConsoleSession, refused: DomainError, template: str | None = None,
                 **context: Any) -> HTMLResponse:
    """A refusal as a page, never a JSON error: 403 and 404 as the error page; bad input (422) or a conflict
    (409) on `template` itself, with the reason above it."""
    if isinstance(refused, Forbidden):
        return render(request, "error.html", session, 403, title="Not yours to open",
                      message=f"You are signed in as {session.user.principal}; this is not yours to open "
                              f"({refused.message}).")
    if isinstance(refused, NotFound) or template is None:
        return render(request, "error.html", session, 404, title="Not found", message=refused.message)
    status = 422 if isinstance(refused, InvalidInput) else 409
    return render(request, template, session, status, error=refused.message,
                  field=getattr(refused, "field", None), **context)
