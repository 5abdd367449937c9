"""The NATS JetStream relay against the real server (127.0.0.1:4222, or OMNIFILL_TEST_NATS_URL): positioned
events are published once each, in order, to `<prefix>.<type>`, and read back with a JetStream consumer.
Each run uses its own stream and subject prefix, so parallel runs never meet."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import nats
import pytest

from omnifill.adapters.event_brokers import BrokerMessage, NatsJetStreamPublisher
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.events import DomainEvent
from omnifill.services.events import relay_events
from tests.conftest import NOW

NATS_URL = os.environ.get("OMNIFILL_TEST_NATS_URL", "nats://127.0.0.1:4222")


@pytest.fixture
def publisher() -> Iterator[NatsJetStreamPublisher]:
    run = uuid.uuid4().hex[:12]
    relay = NatsJetStreamPublisher(NATS_URL, stream=f"OMNIFILL_TEST_{run}", subject_prefix=f"omnifill_test_{run}")
    yield relay
    relay.close()
    asyncio.run(_delete_stream(relay.stream))


async def _delete_stream(stream: str) -> None:
    client = await nats.connect(NATS_URL)
    try:
        await client.jetstream().delete_stream(stream)
    finally:
        await client.close()


async def _read_back(relay: NatsJetStreamPublisher, expected: int) -> list[tuple[str, dict[str, Any], str]]:
    """(subject, body, Nats-Msg-Id) of everything on the stream, through a pull consumer."""
    client = await nats.connect(NATS_URL)
    try:
        js = client.jetstream()
        consumer = await js.pull_subscribe(f"{relay.subject_prefix}.>", stream=relay.stream)
        found: list[tuple[str, dict[str, Any], str]] = []
        while len(found) < expected:
            batch = await consumer.fetch(expected - len(found), timeout=5)
            for message in batch:
                await message.ack()
                found.append((message.subject, json.loads(message.data), (message.headers or {})["Nats-Msg-Id"]))
        info = await js.stream_info(relay.stream)
        assert info.state.messages == expected  # nothing more than we read
        return found
    finally:
        await client.close()


def test_the_relay_publishes_each_event_once_in_order_and_a_reader_gets_them_back(
    uow: UnitOfWork, publisher: NatsJetStreamPublisher,
) -> None:
    with uow:
        uow.outbox.add([DomainEvent("order.placed", "order", "ord_1", {"order_id": "ord_1"}, NOW),
                        DomainEvent("shipment.created", "shipment", "shp_1", {"order_id": "ord_1"}, NOW)])
        uow.commit()
    assert relay_events(uow, NOW, publisher).published == 2
    with uow:
        uow.outbox.add([DomainEvent("order.cancelled", "order", "ord_1", {"order_id": "ord_1"}, NOW)])
        uow.commit()
    assert relay_events(uow, NOW, publisher).published == 1
    assert relay_events(uow, NOW, publisher).published == 0

    found = asyncio.run(_read_back(publisher, 3))

    prefix = publisher.subject_prefix
    assert [subject for subject, _, _ in found] == [f"{prefix}.order.placed", f"{prefix}.shipment.created",
                                                    f"{prefix}.order.cancelled"]
    assert [(body["id"], body["type"], body["entity_id"]) for _, body, _ in found] == [
        (1, "order.placed", "ord_1"), (2, "shipment.created", "shp_1"), (3, "order.cancelled", "ord_1")]
    assert [msg_id for _, _, msg_id in found] == ["1", "2", "3"]


def test_a_batch_published_again_is_stored_once(publisher: NatsJetStreamPublisher) -> None:
    # What a relay that crashed after publishing, before moving its cursor, does on its next run.
    batch = [BrokerMessage(7, "order.placed", b'{"id":7}'), BrokerMessage(8, "order.cancelled", b'{"id":8}')]
    publisher.publish(batch)
    publisher.publish(batch)

    found = asyncio.run(_read_back(publisher, 2))

    assert [msg_id for _, _, msg_id in found] == ["7", "8"]
