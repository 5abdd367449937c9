"""The `omnifill` command: database, keys, demo data and the server."""

from __future__ import annotations

import os
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from omnifill.adapters.return_policy import load_return_policy
from omnifill.adapters.sql.engine import make_engine
from omnifill.adapters.sql.migrate import upgrade_database
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.config import Settings
from omnifill.domain.access import Principal, Role
from omnifill.domain.errors import AlreadyExists, DomainError
from omnifill.entrypoints.configured import event_outlets_from, notifier_from, timers_from
from omnifill.services.access import create_api_key
from omnifill.services.channel_intake import import_orders
from omnifill.services.demo import is_empty, seed_demo
from omnifill.services.demo_history import FLAGSHIP
from omnifill.services.event_relay import move_events
from omnifill.services.lookahead import LookaheadMethod, solve_lookahead
from omnifill.services.timers import run_timers
from omnifill.services.users import create_user, set_password
from omnifill.services.waves import run_wave

# Idle keep-alive connections stay open longer than a load balancer's usual 60 s idle timeout, so the
# balancer, not the server, closes them and never sends a request onto a socket the server just closed.
KEEP_ALIVE_SECONDS = 75
# uvicorn's supervisor kills a worker that does not answer its ping within this time. The answer needs the GIL,
# which a worker loaded with requests on a busy 2-core box can hold away for seconds: 5 s (the default) killed
# healthy workers mid-request under the race tests, dropping their clients' connections.
WORKER_HEALTHCHECK_SECONDS = 60

app = typer.Typer(help="omnifill: omni-channel inventory and order management.", no_args_is_help=True)
db = typer.Typer(help="The database schema.", no_args_is_help=True)
keys = typer.Typer(help="API keys.", no_args_is_help=True)
seed = typer.Typer(help="Sample data.", no_args_is_help=True)
routing = typer.Typer(help="Routing jobs: the look-ahead and waves.", no_args_is_help=True)
users = typer.Typer(help="People who sign in to the console.", no_args_is_help=True)
app.add_typer(users, name="users")
app.add_typer(routing, name="routing")
app.add_typer(db, name="db")
app.add_typer(keys, name="keys")
app.add_typer(seed, name="seed")


def _uow() -> UnitOfWork:
    settings = Settings()
    return UnitOfWork(make_engine(settings.database_url, pool_size=2))


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every Alembic migration up to the newest."""
    uow = _uow()
    upgrade_database(uow.engine)
    typer.echo(f"database at {uow.engine.url.render_as_string(hide_password=True)} is up to date")


@keys.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="admin, operator, store:<location code> or channel:<channel code>")],
    label: Annotated[str | None, typer.Option(help="A note on who holds the key.")] = None,
) -> None:
    """Create an API key; the key itself is printed once, alone on the last line."""
    try:
        key, principal = create_api_key(_uow(), role, datetime.now(UTC), label)
    except DomainError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"created a {principal} key; store it now, it cannot be shown again:")
    typer.echo(key)


@users.command("create")
def users_create(
    username: Annotated[str, typer.Argument(help="What the person types to sign in (case-insensitive).")],
    role: Annotated[str, typer.Option(help="admin, operator or store:<location code> (an associate of one store)")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="OMNIFILL_NEW_USER_PASSWORD",
                                          help="Asked for when not given (or read from OMNIFILL_NEW_USER_PASSWORD).")],
) -> None:
    """Create a console user; the password is hashed with argon2id and never stored or shown."""
    try:
        user = create_user(_uow(), username, role, password, datetime.now(UTC))
    except DomainError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"created {user.username} ({user.principal}); they sign in at /login")


@users.command("set-password")
def users_set_password(
    username: Annotated[str, typer.Argument()],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="OMNIFILL_NEW_USER_PASSWORD")],
) -> None:
    """Give a console user a new password; their open sessions end."""
    try:
        set_password(_uow(), username, password, datetime.now(UTC))
    except DomainError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{username.strip().lower()} has a new password")


@seed.command("demo")
def seed_demo_command() -> None:
    """Seed the demo network: 3 warehouses, 25 stores, 2 dark stores, a dropship vendor, 200 SKUs and stock."""
    uow = _uow()
    upgrade_database(uow.engine)
    if not is_empty(uow):
        typer.echo("the database already holds locations or SKUs; seed a fresh one", err=True)
        raise typer.Exit(1)
    counts = seed_demo(uow, datetime.now(UTC))
    typer.echo(f"seeded {counts['locations']} locations, {counts['skus']} SKUs, {counts['stock_rows']} stock receipts")
    typer.echo(f"and {counts['orders']} orders over the last days ({counts['delivered']} delivered, "
               f"{counts['picked_up']} picked up, {counts['cancelled']} cancelled, {counts['returns']} returned), "
               f"{counts['till_sales']} till sales")


@routing.command("lookahead")
def routing_lookahead(
    history_hours: Annotated[float, typer.Option(help="Recent ship orders that shape expected demand.")] = 24,
    horizon_hours: Annotated[float, typer.Option(help="How far ahead that demand is expected.")] = 24,
    every: Annotated[float | None, typer.Option(help="Run again every this many seconds (a schedule).")] = None,
    method: Annotated[LookaheadMethod, typer.Option(help="transportation (per-SKU flows) or plans (whole orders).")]
    = LookaheadMethod.TRANSPORTATION,
) -> None:
    """Solve the look-ahead LP and store each unit's opportunity cost for routing to use."""
    uow = _uow()
    while True:
        run = solve_lookahead(uow, datetime.now(UTC), history=timedelta(hours=history_hours),
                              horizon=timedelta(hours=horizon_hours), method=method)
        typer.echo(f"look-ahead: {run.orders_seen} orders seen, {run.skus} SKUs, {run.locations} locations, "
                   f"{run.regions} regions; {run.priced} (SKU, location) pairs priced in {run.seconds:.2f} s")
        if every is None:
            return
        time.sleep(every)


@routing.command("wave")
def routing_wave(
    time_limit: Annotated[float, typer.Option(help="Seconds the MILP may take.")] = 10.0,
    max_orders: Annotated[int, typer.Option(help="At most this many waiting orders.")] = 5_000,
) -> None:
    """Re-optimize the orders waiting for a wave (batchable profiles) together, as one MILP."""
    try:
        record = run_wave(_uow(), "cli", datetime.now(UTC), time_limit_s=time_limit, max_orders=max_orders)
    except DomainError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wave {record['id']}: {record['orders']} orders, {record['changed']} re-routed, cost "
               f"{record['cost_before']:.2f} → {record['cost_after']:.2f}, gap {record['gap']:.4f}, "
               f"{record['seconds']:.2f} s ({record['status']})")


@app.command("run-timers")
def run_timers_command() -> None:
    """Run the expiries and SLAs once (pickup reminders and no-shows, store acceptance SLA, reservation expiry,
    return expiry, webhook retention, customer notifications still pending): for cron."""
    settings = Settings()
    run = run_timers(_uow(), datetime.now(UTC), timers_from(settings), notifier_from(settings))
    typer.echo(f"timers: {run.reminded} reminded, {run.expired} pickups expired, {run.rerouted} re-routed, "
               f"{run.released} reservations expired, {run.returns_expired} returns expired, "
               f"{run.deliveries_pruned} webhook deliveries pruned")


@app.command("deliver-events")
def deliver_events_command(
    once: Annotated[bool, typer.Option(help="One pass, then exit (for cron).")] = False,
    every: Annotated[float, typer.Option(help="Seconds between passes when not --once.")] = 1.0,
) -> None:
    """Relay events (positions, webhook fan-out, the NATS relay when configured) and deliver due webhooks."""
    outlets = event_outlets_from(Settings())
    uow = _uow()
    try:
        while True:
            try:
                relay, sent = move_events(uow, outlets, datetime.now(UTC))
            except Exception as failure:  # a database hiccup: said, and the next pass tries again (--once: exit 1)
                typer.echo(f"error: {type(failure).__name__}: {failure}", err=True)
                if once:
                    raise typer.Exit(1) from None
                time.sleep(every)
                continue
            if once or relay.positioned or sent.sent:
                typer.echo(f"events: {relay.positioned} positioned, {relay.published} published to the broker; "
                           f"webhooks: {sent.delivered} delivered, {sent.retrying} to retry, {sent.dead} dead-lettered")
            if once:
                return
            time.sleep(every)
    finally:
        outlets.close()


@app.command("import")
def import_command(
    channel: Annotated[str, typer.Argument(help="The code of a configured Amazon channel.")],
    file: Annotated[Path, typer.Argument(help="getOrders + getOrderItems JSON (docs/INTEGRATIONS.md), or an "
                                               "ORDER_CHANGE notification.", exists=True, dir_okay=False)],
) -> None:
    """Import a channel's orders from a file, as POST /v1/channels/{code}/import does; one line per order."""
    try:
        outcomes = import_orders(_uow(), channel, file.read_bytes(), Principal(Role.OPERATOR), datetime.now(UTC),
                                 load_return_policy(Settings().return_policy_file))
    except DomainError as error:
        typer.echo(f"refused: {error.message} {error.details or ''}".rstrip(), err=True)
        raise typer.Exit(1) from None
    for outcome in outcomes:
        shown = outcome.order_id or outcome.rejected_id or ""
        typer.echo(f"{outcome.external_id}: {outcome.result} {shown} {outcome.note or ''}".rstrip())
    if any(o.result == "rejected" for o in outcomes):
        raise typer.Exit(2)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    demo: Annotated[bool, typer.Option(help="Seed the demo into an empty database and print an admin key.")] = False,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
) -> None:
    """Run the HTTP API (migrating the database first)."""
    uow = _uow()
    upgrade_database(uow.engine)
    if demo:
        if is_empty(uow):
            typer.echo("seeding the demo network and a few days of trade (about a minute the first time)…")
            seed_demo(uow, datetime.now(UTC))
        key, _ = create_api_key(uow, "admin", datetime.now(UTC), "demo")
        password = _demo_console_user(uow)
        associate = _demo_person(uow, DEMO_ASSOCIATE, DEMO_ASSOCIATE_ROLE)
        base = f"http://{host}:{port}"
        typer.echo(f"\nomnifill is serving the demo at {base}")
        typer.echo(f"  console:   {base}/  (sign in as {DEMO_USER} / {password})")
        typer.echo(f"  a store:   {base}/  (sign in as {DEMO_ASSOCIATE} / {associate}, {DEMO_ASSOCIATE_ROLE})")
        typer.echo(f"  API docs:  {base}/docs\n  OpenAPI:   {base}/openapi.json")
        typer.echo(f"  admin key: {key}\n\n  export OMNIFILL_KEY={key}\n")
        os.environ.setdefault("OMNIFILL_EVENTS_EVERY_SECONDS", "1")  # the demo's event stream and webhooks move
        # A demo runs on one machine: its webhook receivers are on localhost too.
        os.environ.setdefault("OMNIFILL_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")
    uow.engine.dispose()
    os.environ.setdefault("OMNIFILL_DATABASE_URL", Settings().database_url)
    uvicorn.run("omnifill.entrypoints.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                access_log=access_log, log_level="info", timeout_keep_alive=KEEP_ALIVE_SECONDS,
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS)


DEMO_USER = "demo"


def _demo_console_user(uow: UnitOfWork) -> str:
    """An admin for the demo's console with a fresh password on every start (printed, never stored)."""
    return _demo_person(uow, DEMO_USER, "admin")


DEMO_ASSOCIATE, DEMO_ASSOCIATE_ROLE = "sam", f"store:{FLAGSHIP}"  # an associate at the demo's busiest store


def _demo_person(uow: UnitOfWork, username: str, role: str) -> str:
    """A demo console user with a fresh password on every start (printed, never stored)."""
    password = secrets.token_urlsafe(12)
    now = datetime.now(UTC)
    try:
        create_user(uow, username, role, password, now)
    except AlreadyExists:
        set_password(uow, username, password, now)
    return password


kpis = typer.Typer(help="KPI jobs: predicted customer lifetime values.", no_args_is_help=True)
app.add_typer(kpis, name="kpis")


@kpis.command("clv")
def kpis_clv(
    months: Annotated[int, typer.Option(min=1, max=60, help="How far ahead to predict, in months.")] = 12,
    discount_rate: Annotated[float, typer.Option(min=0.0, max=1.0, help="Monthly discount rate.")] = 0.01,
) -> None:
    """Fit BG/NBD + Gamma-Gamma (pymc-marketing) on every customer's orders and till sales and store each one's
    predicted lifetime value for GET /v1/kpis/customers; needs `pip install 'omnifill[clv]'`. Tens of seconds."""
    from omnifill.adapters.clv import fit_lifetime_values  # the model library loads only here
    from omnifill.domain.customer_value import Horizon
    from omnifill.services.customer_value import compute_lifetime_values

    try:
        run = compute_lifetime_values(_uow(), fit_lifetime_values, datetime.now(UTC), Horizon(months, discount_rate))
    except DomainError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    shown = ", ".join(f"{name} {value:.4g}" for name, value in run.parameters.items())
    typer.echo(f"lifetime values: {run.customers} customers over {months} months; {shown}")


if __name__ == "__main__":
    app()
