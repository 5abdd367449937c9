"""Where a webhook may be sent: public addresses only unless allowed, and to the address that was checked."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
import pytest

from omnifill.adapters.webhook_sender import HttpWebhookSender, Resolver, pinned


def resolving_to(*addresses: str) -> Resolver:
    def resolve(host: str, port: int) -> Sequence[str]:
        return addresses
    return resolve


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.7", "169.254.169.254", "100.64.0.1",
                                     "::1", "fd00::1", "0.0.0.0"])
def test_a_host_resolving_to_an_address_inside_a_network_is_refused_without_a_request(address: str) -> None:
    sender = HttpWebhookSender(timeout_seconds=1, resolver=resolving_to("93.184.216.34", address))
    try:
        attempt = sender.post("https://hooks.example.com/in", b"{}", {})
    finally:
        sender.close()
    assert attempt.status_code is None
    assert f"hooks.example.com resolves to {address}, not a public address" in (attempt.error or "")


def test_a_host_that_does_not_resolve_is_a_failed_try() -> None:
    def fails(host: str, port: int) -> Sequence[str]:
        raise OSError("Name or service not known")
    sender = HttpWebhookSender(timeout_seconds=1, resolver=fails)
    try:
        attempt = sender.post("https://nowhere.example/in", b"{}", {})
    finally:
        sender.close()
    assert attempt.error == "OSError: cannot resolve nowhere.example: Name or service not known"


def test_allowed_private_networks_are_tried_for_real() -> None:
    sender = HttpWebhookSender(timeout_seconds=1, allow_private_networks=True)
    try:
        attempt = sender.post("http://127.0.0.1:9/in", b"{}", {})  # the discard port: nothing listens
    finally:
        sender.close()
    assert attempt.status_code is None
    assert "not a public address" not in (attempt.error or "")
    assert (attempt.error or "").startswith("ConnectError")


def test_the_request_goes_to_the_checked_address_port_path_and_query_kept() -> None:
    assert pinned("https://hooks.example.com/in?x=1", "93.184.216.34") == "https://93.184.216.34/in?x=1"
    assert pinned("http://hooks.example.com:8080/in", "2606:2800:220:1::1") == "http://[2606:2800:220:1::1]:8080/in"


def test_a_public_host_is_posted_to_its_checked_address_under_its_own_name() -> None:
    seen: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    sender = HttpWebhookSender(timeout_seconds=1, resolver=resolving_to("93.184.216.34"))
    sender._clients["hooks.example.com"] = httpx.Client(transport=httpx.MockTransport(receiver))  # no network
    try:
        attempt = sender.post("https://hooks.example.com/in?x=1", b"{}", {"X-Omnifill-Signature": "s"})
    finally:
        sender.close()
    assert attempt.status_code == 204
    [request] = seen
    assert str(request.url) == "https://93.184.216.34/in?x=1"
    assert (request.headers["host"], request.headers["x-omnifill-signature"]) == ("hooks.example.com", "s")
    assert request.extensions["sni_hostname"] == "hooks.example.com"
