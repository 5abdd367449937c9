"""Webhook subscriptions and deliveries: signatures, the retry schedule and what a delivery's state may become.

Pure: the time, the random draw for jitter and the secret are passed in.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from omnifill.domain.errors import InvalidInput

SIGNATURE_HEADER = "Omnifill-Signature"
EVENT_ID_HEADER = "Omnifill-Event-Id"
EVENT_TYPE_HEADER = "Omnifill-Event-Type"
MIN_SECRET_LENGTH = 16
MAX_URL_LENGTH = 2000


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its first try or its next retry (next_attempt_at)
    SENDING = "sending"  # claimed by a worker; due again at next_attempt_at if that worker died
    DELIVERED = "delivered"  # the receiver answered 2xx
    DEAD = "dead"  # every try failed: in the dead-letter list until replayed


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry n (after the n-th failed try) waits a uniform draw in [0, min(cap, base·2^(n-1))] ("full jitter")."""

    max_attempts: int = 20
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)

    def delay(self, failed_attempts: int, draw: float) -> timedelta:
        """`draw` is uniform in [0, 1): the jitter that keeps retries of many receivers from arriving together."""
        ceiling = min(self.cap.total_seconds(), self.base.total_seconds() * 2 ** min(failed_attempts - 1, 40))
        return timedelta(seconds=ceiling * draw)

    def is_last(self, failed_attempts: int) -> bool:
        return failed_attempts >= self.max_attempts


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    url: str
    event_types: tuple[str, ...]  # empty: every type
    active: bool
    created_at: datetime
    created_by: str
    description: str | None = None


def require_webhook_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # "http://[::1", "http://host:99999"
        parts, port_ok = urlsplit(""), False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok or any(c.isspace() for c in url):
        raise InvalidInput("url", "must be an absolute http:// or https:// URL")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput("url", f"at most {MAX_URL_LENGTH} characters")
    if parts.username or parts.password:
        raise InvalidInput("url", "must not carry a user or password; the signature authenticates deliveries")
    return url


def require_secret(secret: str) -> str:
    if len(secret) < MIN_SECRET_LENGTH or len(secret) > 200 or not secret.isprintable():
        raise InvalidInput("secret", f"must be {MIN_SECRET_LENGTH} to 200 printable characters")
    return secret


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of "<timestamp>.<body>" under the subscription's secret."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify_signature(secret: str, header: str, body: bytes, now: int, tolerance_seconds: int = 300) -> bool:
    """What a receiver does (docs/EVENTS.md shows the same): recompute, compare in constant time, refuse old."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_seconds:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), fields.get("v1", ""))


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event's journey to one subscription."""

    id: int
    subscription_id: str
    event_id: int
    event_type: str
    ordering_key: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class Attempt:
    """How one try went: the receiver's status code, or the transport error when there was no answer."""

    status_code: int | None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def problem(self) -> str | None:
        if self.delivered:
            return None
        return self.error or f"the receiver answered {self.status_code}"
