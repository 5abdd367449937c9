"""What the settings build for the server and the CLI alike: the notifier, customer messaging, timer durations."""

from __future__ import annotations

from datetime import timedelta

from omnifill.adapters.event_brokers import NatsJetStreamPublisher
from omnifill.adapters.notifiers import LogNotifier, Notifier, SmtpNotifier
from omnifill.adapters.webhook_sender import HttpWebhookSender
from omnifill.config import Settings
from omnifill.domain.webhooks import RetryPolicy
from omnifill.services.event_relay import EventOutlets
from omnifill.services.notifications import Messaging
from omnifill.services.timers import TimerSettings, timer_settings
from omnifill.services.webhooks import BATCH as DELIVERY_BATCH


def notifier_from(settings: Settings) -> Notifier:
    if settings.notifier == "smtp":
        return SmtpNotifier(settings.smtp_host, settings.smtp_port, settings.smtp_from, settings.smtp_starttls,
                            settings.smtp_user, settings.smtp_password, settings.smtp_timeout_seconds)
    return LogNotifier()


def messaging_from(settings: Settings) -> Messaging:
    return Messaging(notifier_from(settings), timedelta(days=settings.pickup_hold_days))


def timers_from(settings: Settings) -> TimerSettings:
    return timer_settings(settings.pickup_hold_days, settings.pickup_reminder_hours,
                          settings.store_acceptance_minutes, settings.reservation_hold_hours,
                          settings.return_expiry_days, settings.webhook_retention_days)


def retry_policy_from(settings: Settings) -> RetryPolicy:
    return RetryPolicy(settings.webhook_max_attempts, timedelta(seconds=settings.webhook_backoff_base_seconds),
                       timedelta(seconds=settings.webhook_backoff_cap_seconds))


def event_outlets_from(settings: Settings) -> EventOutlets:
    """The webhook sender, the retry schedule and, with OMNIFILL_NATS_URL, the NATS JetStream relay."""
    publisher = None
    if settings.nats_url:
        publisher = NatsJetStreamPublisher(settings.nats_url, settings.nats_stream, settings.nats_subject_prefix)
    # A claim outlives a whole round of sends at the full timeout, so no second worker takes one mid-send.
    lease = timedelta(seconds=settings.webhook_timeout_seconds * (DELIVERY_BATCH + 1) + 60)
    sender = HttpWebhookSender(settings.webhook_timeout_seconds, settings.webhook_allow_private_networks)
    return EventOutlets(sender, retry_policy_from(settings), lease, publisher)
