"""Webhook signatures: base64 HMAC-SHA256 of the raw body with the channel's shared secret (Shopify, WooCommerce)."""

from __future__ import annotations

import base64
import hashlib
import hmac


def signature_of(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signed_by(secret: str, body: bytes, signature: str | None) -> bool:
    """True only if `signature` is the body's HMAC under `secret`; compared in constant time."""
    if not signature:
        return False
    return hmac.compare_digest(signature_of(secret, body).encode(), signature.strip().encode())
