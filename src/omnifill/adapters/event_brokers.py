"""Broker relays: the event stream published to a message broker, for consumers that fan events out at scale.

`EventPublisher` is the seam: a relay publishes a batch of positioned events in stream order, all or nothing
(it raises if any was not acknowledged, and the batch is published again later). NATS JetStream is the one
built in; Kafka or RabbitMQ would be another class with the same two methods.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

T = TypeVar("T")
_CONNECT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class BrokerMessage:
    event_id: int  # the broker's de-duplication key: a batch published twice is stored once
    event_type: str
    body: bytes


class EventPublisher(Protocol):
    @property
    def name(self) -> str: ...  # the relay's cursor in the database: "broker:nats"

    def publish(self, messages: Sequence[BrokerMessage]) -> None: ...

    def close(self) -> None: ...


class NatsJetStreamPublisher:
    """Publishes each event to `<subject prefix>.<event type>` on a JetStream stream (created if missing).

    `Nats-Msg-Id` is the event id, so a batch re-published after a crash (or by a second relay) is stored
    once within the stream's duplicate window. nats-py is asyncio; the publisher runs its own event loop in a
    daemon thread so that the synchronous services can call it.
    """

    def __init__(self, url: str, stream: str = "OMNIFILL_EVENTS", subject_prefix: str = "omnifill",
                 timeout_seconds: float = 10.0) -> None:
        self.url, self.stream, self.subject_prefix = url, stream, subject_prefix
        self.timeout_seconds = timeout_seconds
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="omnifill-nats", daemon=True)
        self._thread.start()
        self._client: Client | None = None
        self._js: JetStreamContext | None = None

    @property
    def name(self) -> str:
        return "broker:nats"

    def subject(self, event_type: str) -> str:
        return f"{self.subject_prefix}.{event_type}"

    def publish(self, messages: Sequence[BrokerMessage]) -> None:
        self._run(self._publish(messages), self.timeout_seconds * (len(messages) + 1))

    def close(self) -> None:
        if self._client is not None:
            self._run(self._client.close(), self.timeout_seconds)
            self._client = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=self.timeout_seconds)
        if not self._thread.is_alive():
            self._loop.close()

    def _run(self, work: Coroutine[Any, Any, T], timeout: float) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout)

    async def _publish(self, messages: Sequence[BrokerMessage]) -> None:
        js = await self._jetstream()
        for message in messages:  # one at a time, each acknowledged: the stream keeps the events' order
            await js.publish(self.subject(message.event_type), message.body, timeout=self.timeout_seconds,
                             stream=self.stream, headers={"Nats-Msg-Id": str(message.event_id)})

    async def _jetstream(self) -> JetStreamContext:
        if self._js is None or self._client is None or not self._client.is_connected:
            self._client = await nats.connect(self.url, connect_timeout=_CONNECT_SECONDS, max_reconnect_attempts=3)
            self._js = self._client.jetstream(timeout=self.timeout_seconds)
            try:
                await self._js.stream_info(self.stream)
            except NotFoundError:
                await self._js.add_stream(name=self.stream, subjects=[f"{self.subject_prefix}.>"])
        return self._js
