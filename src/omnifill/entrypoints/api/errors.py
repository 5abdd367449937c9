"""One error shape for every failure: {"error": {"code", "message", "details"}} with a status that fits."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from omnifill.domain import errors as e

log = logging.getLogger("omnifill.api")

STATUS: dict[type[e.DomainError], int] = {
    e.InvalidInput: 422,
    e.IdempotencyMismatch: 422,
    e.NotFound: 404,
    e.Forbidden: 403,
    e.AlreadyExists: 409,
    e.InsufficientStock: 409,
    e.StockConflict: 409,
    e.InvalidTransition: 409,
    e.DuplicateOrder: 409,
    e.NoWorkWaiting: 409,
    e.NoCarrier: 409,
    e.BadSignature: 401,
}
HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type"}


def error_response(status: int, code: str, message: str, details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(e.DomainError, _domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DataError, _unstorable)
    app.add_exception_handler(OperationalError, _unavailable)
    app.add_exception_handler(Exception, _unexpected)


async def _domain_error(_: Request, exc: e.DomainError) -> JSONResponse:
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
    return error_response(status, exc.code, exc.message, exc.details)


def field_path(loc: tuple[Any, ...]) -> str:
    """('body', 'lines', 0, 'quantity') → 'lines[0].quantity'"""
    path = ""
    for part in loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [{"field": field_path(tuple(err["loc"])), "problem": err["msg"]} for err in exc.errors()]
    if any(err["type"] == "json_invalid" for err in exc.errors()):
        return error_response(400, "invalid_json", "the request body is not valid JSON", {"errors": problems})
    content_type = request.headers.get("content-type", "")
    if request.method in ("POST", "PUT", "PATCH") and content_type and "json" not in content_type:
        return error_response(415, "unsupported_media_type", "send the body as application/json",
                              {"content_type": content_type[:100]})
    first = problems[0] if problems else {"field": "body", "problem": "invalid"}
    return error_response(422, "invalid_input", f"{first['field']}: {first['problem']}", {"errors": problems[:50]})


async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
    code = HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))


async def _integrity_error(_: Request, exc: Exception) -> JSONResponse:
    # A uniqueness or check constraint refused a write that raced past the service's own checks.
    log.info("constraint refused a write: %s", exc)
    return error_response(409, "conflict", "the request conflicts with the current state; read it again and retry")


async def _unstorable(_: Request, exc: Exception) -> JSONResponse:
    # Last line of defence: the edge refuses what it knows a database cannot store; this catches the rest.
    log.warning("the database refused a value: %s", exc)
    return error_response(422, "invalid_input", "a value in the request cannot be stored", {"field": "body"})


async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", exc)
    return error_response(503, "unavailable", "the store is busy or unreachable; retry shortly",
                          headers={"Retry-After": "1"})


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return error_response(500, "internal_error", "something went wrong on our side; it has been logged")


class RefuseNulBytes:
    """Refuse a NUL byte anywhere in the path or query: PostgreSQL text cannot hold one, and no code has one.

    A plain ASGI middleware, so requests without one pay a substring test and nothing more.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for part, raw in (("path", scope.get("raw_path") or scope["path"].encode()),
                              ("query", scope.get("query_string", b""))):
                if b"%00" in raw or b"\x00" in raw:
                    response = error_response(400, "bad_request", f"the {part} contains a NUL byte", {"field": part})
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)
