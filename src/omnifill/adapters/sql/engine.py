"""Engines for both stores: SQLite in WAL mode (embedded default) and PostgreSQL through psycopg 3."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection

WRITE = "omnifill_write"
_HOLDS_WRITERS = "omnifill_holds_writer_queue"
_WRITER_QUEUE_SECONDS = 60  # past this, go to SQLite's own lock and its busy timeout decides


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    # Writers of this process queue here before asking SQLite for its write lock: a thread waiting on SQLite's
    # busy handler sleeps in growing steps (up to 100 ms) and wakes late, a thread waiting here wakes at once.
    # Other processes still meet at SQLite's lock, which stays the guard.
    writers = threading.Lock()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # A writer takes the write lock up front: read-then-update can then never lose a race, and
        # SQLite never has to fail a deferred transaction's lock upgrade with SQLITE_BUSY.
        if not connection.get_execution_options().get(WRITE, False):
            connection.exec_driver_sql("BEGIN")
            return
        connection.info[_HOLDS_WRITERS] = writers.acquire(timeout=_WRITER_QUEUE_SECONDS)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _leave_queue(connection)
            raise

    def _leave_queue(connection: Connection) -> None:
        if connection.info.pop(_HOLDS_WRITERS, False):
            writers.release()

    event.listen(engine, "commit", _leave_queue)
    event.listen(engine, "rollback", _leave_queue)

    @event.listens_for(engine, "checkin")
    def _left_without_ending(_dbapi_connection: Any, record: Any) -> None:
        # A connection invalidated mid-transaction reaches the pool without a commit or rollback event;
        # Connection.info is this record's info, so the queue is still left exactly once.
        if record.info.pop(_HOLDS_WRITERS, False):
            writers.release()

    return engine


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
