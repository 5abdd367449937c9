"""Settings from the environment (prefix OMNIFILL_), read once by the entrypoints and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./omnifill.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMNIFILL_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # PostgreSQL connection pool per process; SQLite ignores it.
    pool_size: int = 10
    # How long a verified API key is trusted without asking the database again.
    api_key_cache_seconds: float = 30.0
    # Attempts to re-plan an order whose reservation lost a race before answering 409.
    reservation_attempts: int = 3
    # How old the stock behind POST /v1/availability may be; orders always reserve against live balances.
    availability_cache_seconds: float = 1.0
    # Why a location may refuse work (POST /v1/fulfillments/{id}/reject); a JSON list in the environment.
    reject_reasons: list[str] = ["damaged", "not_found", "no_capacity", "other"]
    # Timers (services/timers.py): how often the server runs them (0: never; use `omnifill run-timers` from cron),
    # how long a pickup is held, when the reminder goes, and how long a store has to accept its work.
    timers_every_seconds: float = 60.0
    pickup_hold_days: float = 5.0
    pickup_reminder_hours: float = 24.0
    store_acceptance_minutes: float = 120.0
    # The carton sizes packing chooses from (JSON, like src/omnifill/data/cartons.json); the shipped sizes if unset.
    cartons_file: Path | None = None
    # The carriers shipments are rate-shopped across (adapters/carriers.py): a bare name is a card shipped with
    # omnifill (data/carriers/NAME.json), anything else a path to a card; a JSON list in the environment.
    carrier_cards: list[str] = ["groundline", "swiftpost"]
    # An order whose work nobody began (allocated, every fulfillment pending) is cancelled after this many hours.
    reservation_hold_hours: float = 72.0
    # Customer notifications (pickup ready, reminder, expiry): "log" writes them to the application log, "smtp"
    # e-mails them through the server below.
    notifier: Literal["log", "smtp"] = "log"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_from: str = "omnifill@localhost"
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: float = 10.0
    # Events out (docs/EVENTS.md): how often each server worker relays events and delivers webhooks (0, the
    # default: never, run `omnifill deliver-events` beside the server; `serve --demo` turns it on at 1 s), the
    # retry schedule, the HTTP timeout of one delivery, and whether receivers may be inside the network
    # (loopback, private, link-local addresses: refused unless allowed).
    events_every_seconds: float = 0.0
    webhook_max_attempts: int = 20
    webhook_backoff_base_seconds: float = 30.0
    webhook_backoff_cap_seconds: float = 3600.0
    webhook_timeout_seconds: float = 10.0
    webhook_allow_private_networks: bool = False
    # Deliveries answered 2xx are forgotten after this many days (the timers); the events stay in the stream.
    webhook_retention_days: float = 30.0
    # The NATS JetStream relay: unset, no broker relay runs. Events go to `<prefix>.<event type>` on the stream.
    nats_url: str | None = None
    nats_stream: str = "OMNIFILL_EVENTS"
    nats_subject_prefix: str = "omnifill"
    # How long a console sign-in lasts before the person signs in again.
    console_session_hours: float = 12.0
    # Returns: the policy (windows, final-sale SKUs, reasons and their restocking fees; JSON like
    # src/omnifill/data/return_policy.json; the shipped one if unset), and how many days a return authorization
    # nothing came back for stays open before it expires.
    return_policy_file: Path | None = None
    return_expiry_days: float = 30.0
