"""Customer notifications: sent after the move commits, recorded sent or failed; the SMTP adapter against a real
SMTP server (aiosmtpd) started in the test."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message as Email
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from omnifill.adapters.notifiers import LogNotifier, SmtpNotifier
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.access import Principal
from omnifill.domain.notifications import Message, NotificationKind, NotificationStatus
from omnifill.domain.orders import Customer, FulfillmentStatus, OrderDraft
from omnifill.services.fulfillment import advance
from omnifill.services.notifications import Messaging, deliver, notifications_of
from omnifill.services.orders import get_order, place_order
from tests.conftest import NOW
from tests.factories import ZIP, add_location, add_sku, pickup_order, stock

ADMIN = Principal.parse("admin")


@dataclass
class Mailbox:
    """What the SMTP server received: (envelope recipients, parsed e-mail) per message."""

    received: list[tuple[list[str], Email]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def body_of(email: Email) -> str:
    payload = email.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode().replace("\r\n", "\n")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on localhost that accepts the login shop/secret (no TLS: it is the test's own socket)."""

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> AuthResult:
        ok = isinstance(auth, LoginPassword) and (auth.login, auth.password) == (b"shop", b"secret")
        return AuthResult(success=ok)

    mailbox, port = Mailbox(), _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, authenticator=authenticate,
                            auth_require_tls=False)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@pytest.fixture
def network(sqlite_uow: UnitOfWork) -> UnitOfWork:
    add_sku(sqlite_uow, NOW, "A")
    add_location(sqlite_uow, NOW, "PHL", ZIP["PHL"])
    stock(sqlite_uow, {("A", "PHL"): 5})
    return sqlite_uow


def picked_pickup(uow: UnitOfWork, draft: OrderDraft | None = None) -> tuple[str, str]:
    """(order id, fulfillment id) of a pickup at PHL, accepted and picked."""
    placed = place_order(uow, draft or pickup_order("P-1", {"A": 2}, "PHL"), "channel:web", NOW)
    assert placed.order is not None
    work = placed.order.fulfillments[0].id
    for action in ("accept", "pick"):
        advance(uow, work, action, ADMIN, NOW)
    return placed.order.id, work


class Broken:
    name = "smtp"

    def send(self, message: Message) -> None:
        raise ConnectionRefusedError("mail server down")


def test_ready_sends_the_code_through_the_log_notifier_and_records_it(
    network: UnitOfWork, caplog: pytest.LogCaptureFixture,
) -> None:
    order_id, work = picked_pickup(network)

    with caplog.at_level(logging.INFO, logger="omnifill.notifications"):
        advance(network, work, "ready", ADMIN, NOW, messaging=Messaging(LogNotifier()))

    code = get_order(network, order_id, ADMIN).fulfillments[0].pickup_code
    [sent] = notifications_of(network, order_id)
    assert (sent.kind, sent.status, sent.notifier, sent.recipient) == (
        NotificationKind.PICKUP_READY, NotificationStatus.SENT, "log", "pat@example.com")
    assert f"Pickup code: {code}" in sent.body
    logged = [r.getMessage().splitlines()[0] for r in caplog.records]
    assert logged == [f"notification to pat@example.com: {sent.subject}"]


def test_a_failed_send_is_recorded_and_never_undoes_the_move(network: UnitOfWork) -> None:
    order_id, work = picked_pickup(network)

    ready = advance(network, work, "ready", ADMIN, NOW, messaging=Messaging(Broken()))

    assert ready.fulfillments[0].status is FulfillmentStatus.READY_FOR_PICKUP
    assert get_order(network, order_id, ADMIN).fulfillments[0].status is FulfillmentStatus.READY_FOR_PICKUP
    [failed] = notifications_of(network, order_id)
    assert (failed.status, failed.notifier, failed.error) == (
        NotificationStatus.FAILED, "smtp", "ConnectionRefusedError: mail server down")
    assert deliver(network, LogNotifier(), NOW) == 0  # failed is final: not sent again behind the customer's back


def test_an_order_without_an_email_address_is_recorded_as_not_sent(network: UnitOfWork) -> None:
    draft = pickup_order("P-2", {"A": 1}, "PHL")
    order_id, work = picked_pickup(network, OrderDraft(draft.channel, draft.external_id, Customer(name="Pat"), None,
                                                       draft.delivery, draft.lines))

    advance(network, work, "ready", ADMIN, NOW)

    [failed] = notifications_of(network, order_id)
    assert (failed.status, failed.error) == (NotificationStatus.FAILED, "the order has no e-mail address to send to")


def test_a_notification_is_sent_once_however_often_delivery_runs(network: UnitOfWork) -> None:
    order_id, work = picked_pickup(network)
    advance(network, work, "ready", ADMIN, NOW)

    assert deliver(network, LogNotifier(), NOW) == 0
    assert [n.status for n in notifications_of(network, order_id)] == [NotificationStatus.SENT]


def test_the_smtp_notifier_sends_an_email_a_real_server_receives(smtp_server: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp_server
    notifier = SmtpNotifier("127.0.0.1", port, sender="orders@shop.example", user="shop", password="secret")

    notifier.send(Message("pat@example.com", "Your order is ready", "Pickup code: 042917\n"))

    [(recipients, email)] = mailbox.received
    assert recipients == ["pat@example.com"]
    assert (email["From"], email["To"], email["Subject"]) == ("orders@shop.example", "pat@example.com",
                                                             "Your order is ready")
    assert body_of(email) == "Pickup code: 042917\n"


def test_an_smtp_server_that_is_not_there_raises() -> None:
    with pytest.raises(ConnectionRefusedError):
        SmtpNotifier("127.0.0.1", _free_port(), timeout_seconds=5).send(Message("pat@example.com", "s", "b"))


def test_ready_through_smtp_reaches_the_customer(network: UnitOfWork, smtp_server: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp_server
    order_id, work = picked_pickup(network)

    advance(network, work, "ready", ADMIN, NOW, messaging=Messaging(SmtpNotifier("127.0.0.1", port)))

    [(recipients, email)] = mailbox.received
    [sent] = notifications_of(network, order_id)
    assert recipients == ["pat@example.com"]
    assert (sent.status, sent.notifier, email["Subject"]) == (NotificationStatus.SENT, "smtp", sent.subject)
    code = get_order(network, order_id, ADMIN).fulfillments[0].pickup_code
    assert f"Pickup code: {code}" in body_of(email)
