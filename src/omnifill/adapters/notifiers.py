"""Notifier adapters: how a rendered message reaches the customer. Pluggable behind one protocol.

- `LogNotifier` (the default) writes the message to the application log (logger `omnifill.notifications`); the
  stored notification row keeps it too.
- `SmtpNotifier` sends it as an e-mail through an SMTP server (smtplib), with STARTTLS and login when configured.

A notifier raises when it could not send; the caller records the failure.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from functools import cache
from importlib import resources
from typing import Protocol

from omnifill.domain.notifications import Message, NotificationKind

log = logging.getLogger("omnifill.notifications")


class Notifier(Protocol):
    @property
    def name(self) -> str: ...  # recorded with each notification it sent

    def send(self, message: Message) -> None: ...


class LogNotifier:
    name = "log"

    def send(self, message: Message) -> None:
        log.info("notification to %s: %s\n%s", message.recipient, message.subject, message.body)


@dataclass(frozen=True, slots=True)
class SmtpNotifier:
    host: str
    port: int = 25
    sender: str = "omnifill@localhost"
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    timeout_seconds: float = 10.0
    name: str = "smtp"

    def send(self, message: Message) -> None:
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = self.sender, message.recipient, message.subject
        email.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds) as server:
            if self.starttls:
                server.starttls()
            if self.user:
                server.login(self.user, self.password or "")
            server.send_message(email)


@cache
def message_template(kind: NotificationKind) -> str:
    """The template file shipped in the package: omnifill/data/templates/<kind>.txt."""
    return resources.files("omnifill").joinpath("data", "templates", f"{kind}.txt").read_text(encoding="utf-8")
