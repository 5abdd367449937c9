"""One customer across channels: the identities that say who someone is, normalized so they can be matched.

An identity is an e-mail address, a phone number or a loyalty id. Each is normalized before it is compared:
- e-mail: surrounding spaces stripped, the whole address lower-cased (local part too: no mail provider a
  retailer meets treats `Pat@` and `pat@` as two people); no provider-specific rules (gmail dots, `+tags`).
- phone: parsed with `phonenumbers` (numbers without a country code read as `default_region`) and written in
  E.164; a number that is not a valid phone number is dropped, not refused: a till typo must not stop a sale.
- loyalty id: spaces and dashes removed, upper-cased (cards are printed in groups and typed either case).
A value that normalizes to nothing is no identity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import phonenumbers

DEFAULT_REGION = "US"
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}")
_LOYALTY_SEPARATORS = re.compile(r"[\s\-]+")


class IdentityKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    LOYALTY_ID = "loyalty_id"


@dataclass(frozen=True, slots=True, order=True)
class Identity:
    kind: IdentityKind
    value: str


def normalize_email(raw: str | None) -> str | None:
    text = (raw or "").strip().lower()
    return text if _EMAIL.fullmatch(text) else None


def normalize_phone(raw: str | None, default_region: str = DEFAULT_REGION) -> str | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_loyalty_id(raw: str | None) -> str | None:
    text = _LOYALTY_SEPARATORS.sub("", raw or "").upper()
    return text[:64] or None


def identities_of(
    email: str | None = None, phone: str | None = None, loyalty_id: str | None = None,
    default_region: str = DEFAULT_REGION,
) -> tuple[Identity, ...]:
    """The usable identities among what a channel or a till sent, in a fixed order."""
    found = [
        (IdentityKind.EMAIL, normalize_email(email)),
        (IdentityKind.PHONE, normalize_phone(phone, default_region)),
        (IdentityKind.LOYALTY_ID, normalize_loyalty_id(loyalty_id)),
    ]
    return tuple(Identity(kind, value) for kind, value in found if value)


@dataclass(frozen=True, slots=True)
class ProfileStub:
    """What the merge rule needs of a profile."""

    id: str
    created_at: datetime


def merge_survivor(profiles: Iterable[ProfileStub]) -> ProfileStub:
    """When one order's identities belong to several profiles they are one person: the oldest profile stays
    (ties: the smaller id) and the others are merged into it."""
    return min(profiles, key=lambda p: (p.created_at, p.id))
