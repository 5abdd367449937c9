"""How a signed webhook delivery leaves: an HTTP POST through httpx, with a timeout and no redirects followed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import httpx

from omnifill.domain.webhooks import Attempt


class WebhookSender(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Attempt: ...

    def close(self) -> None: ...


class HttpWebhookSender:
    """One connection pool for every receiver; a redirect is an answer (3xx: not delivered), never followed."""

    def __init__(self, timeout_seconds: float = 10.0) -> None:
        self._client = httpx.Client(timeout=timeout_seconds, follow_redirects=False,
                                    headers={"User-Agent": "omnifill-webhooks"})

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Attempt:
        try:
            response = self._client.post(url, content=body, headers=dict(headers))
        except Exception as failure:  # refused, reset, timed out, bad TLS, a URL httpx refuses: a failed try, recorded
            return Attempt(None, f"{type(failure).__name__}: {failure}"[:500])
        return Attempt(response.status_code)

    def close(self) -> None:
        self._client.close()
