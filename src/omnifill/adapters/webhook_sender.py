"""How a signed webhook delivery leaves: an HTTP POST through httpx, with a timeout and no redirects followed.

A receiver URL is chosen by whoever holds a key that may subscribe, but the POST leaves from inside the
retailer's network. So by default a delivery goes only to public addresses: the host is resolved here, every
address it resolves to must be public (not loopback, private, link-local, shared or reserved), and the request
is sent to the address that was checked — with the host's name in the Host header and in TLS, so certificates
are verified as usual — rather than resolved again, which a DNS answer changing in between could exploit.
Receivers inside the network are allowed with OMNIFILL_WEBHOOK_ALLOW_PRIVATE_NETWORKS.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx

from omnifill.domain.webhooks import Attempt

Resolver = Callable[[str, int], Sequence[str]]  # host, port → the addresses it resolves to


class WebhookSender(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Attempt: ...

    def close(self) -> None: ...


def resolve(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class HttpWebhookSender:
    """A connection pool per receiver host (requests go to checked addresses, and two hosts may share one: a
    connection opened and verified for one must never carry the other's events); a redirect is an answer (3xx:
    not delivered), never followed."""

    def __init__(self, timeout_seconds: float = 10.0, allow_private_networks: bool = False,
                 resolver: Resolver = resolve) -> None:
        self._timeout_seconds = timeout_seconds
        self._clients: dict[str, httpx.Client] = {}
        self._allow_private_networks = allow_private_networks
        self._resolve = resolver

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Attempt:
        target: tuple[str, dict[str, str], dict[str, str]] = (url, dict(headers), {})
        if not self._allow_private_networks:
            found = self._public_target(url, headers)
            if isinstance(found, str):
                return Attempt(None, found)
            target = found
        try:
            response = self._client_for(urlsplit(url).netloc).post(target[0], content=body, headers=target[1],
                                                                   extensions=target[2])
        except Exception as failure:  # refused, reset, timed out, bad TLS, a URL httpx refuses: a failed try, recorded
            return Attempt(None, f"{type(failure).__name__}: {failure}"[:500])
        return Attempt(response.status_code)

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def _client_for(self, host: str) -> httpx.Client:
        client = self._clients.get(host)
        if client is None:
            client = self._clients[host] = httpx.Client(timeout=self._timeout_seconds, follow_redirects=False,
                                                        headers={"User-Agent": "omnifill-webhooks"})
        return client

    def _public_target(
        self, url: str, headers: Mapping[str, str],
    ) -> tuple[str, dict[str, str], dict[str, str]] | str:
        """The URL pinned to the checked address, its headers and TLS name; or why it may not be sent."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            found = [ipaddress.ip_address(a) for a in self._resolve(host, parts.port or default_port(parts.scheme))]
        except (OSError, ValueError) as failure:
            return f"{type(failure).__name__}: cannot resolve {host}: {failure}"[:500]
        if not found:
            return f"cannot resolve {host}: no address"
        private = next((a for a in found if not a.is_global), None)
        if private is not None:
            return (f"refused: {host} resolves to {private}, not a public address "
                    "(OMNIFILL_WEBHOOK_ALLOW_PRIVATE_NETWORKS allows receivers inside your network)")
        tls = {"sni_hostname": host} if parts.scheme == "https" else {}
        return pinned(url, str(found[0])), {**headers, "Host": parts.netloc}, tls


def default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def pinned(url: str, address: str) -> str:
    """The URL with its host replaced by `address` (bracketed when IPv6), port, path and query kept."""
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    return urlunsplit((parts.scheme, f"{host}:{parts.port}" if parts.port else host, parts.path, parts.query, ""))
