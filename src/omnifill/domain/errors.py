"""Every rule the business can break, as one exception family.

Each error carries a stable machine `code` and a `details` mapping; the API turns them into
`{"error": {"code", "message", "details"}}` with the status that fits (see entrypoints/api/errors.py).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(DomainError):
    """A value breaks a business rule (bad GTIN, negative weight…); `field` names it."""

    code = "invalid_input"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}", errors=[{"field": field, "problem": problem}])
        self.field = field
        self.problem = problem


class NotFound(DomainError):
    code = "not_found"


class AlreadyExists(DomainError):
    code = "already_exists"


class InsufficientStock(DomainError):
    """The network (or the chosen store) cannot cover these lines; `short` says what is missing."""

    code = "insufficient_stock"


class StockConflict(DomainError):
    """A movement would break 0 <= reserved <= on_hand."""

    code = "stock_conflict"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class NoWorkWaiting(DomainError):
    """A batch (a pick wave) was asked for where no work is waiting for it."""

    code = "no_work_waiting"


class DuplicateOrder(DomainError):
    code = "duplicate_order"


class IdempotencyMismatch(DomainError):
    code = "idempotency_key_reused"


class Forbidden(DomainError):
    code = "forbidden"


class NoCarrier(DomainError):
    """No configured carrier offers this service level between these two places."""

    code = "no_carrier"


class BadSignature(DomainError):
    """A webhook whose signature does not match its body under the channel's secret: nothing of it is kept."""

    code = "bad_signature"
