"""What the settings build for the server and the CLI alike: the notifier, customer messaging, timer durations."""

from __future__ import annotations

from datetime import timedelta

from omnifill.adapters.notifiers import LogNotifier, Notifier, SmtpNotifier
from omnifill.config import Settings
from omnifill.services.notifications import Messaging
from omnifill.services.timers import TimerSettings, timer_settings


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
                          settings.return_expiry_days)
