"""The hub keeps the recent messages of followed topics, so that a client can resume."""

from __future__ import annotations

import json

from backend.gateway.ws import hub as hub_module
from backend.gateway.ws.hub import Hub, Subscriber

TOPIC = ("orders", "alice")


async def test_messages_after_a_number_are_replayed_while_kept(monkeypatch) -> None:
    monkeypatch.setattr(hub_module, "HISTORY", 3)
    hub = Hub()
    subscriber = Subscriber()
    hub.subscribe(TOPIC, subscriber)
    for n in range(5):
        hub.publish(TOPIC, {"n": n})
    assert [json.loads(t)["seq"] for t in await hub.resume(TOPIC, 3)] == [4, 5]
    assert await hub.resume(TOPIC, 5) == []
    assert await hub.resume(TOPIC, 1) is None  # only 3..5 are kept


async def test_idle_topics_are_forgotten_first_and_followed_ones_kept(monkeypatch) -> None:
    monkeypatch.setattr(hub_module, "FOLLOWED_TOPICS", 2)
    hub = Hub()
    active, idle = Subscriber(), Subscriber()
    hub.subscribe(("orders", "a"), active)
    hub.subscribe(("orders", "b"), idle)
    hub.unsubscribe(("orders", "b"), idle)
    hub.subscribe(("orders", "c"), Subscriber())  # over the limit: "b" has no subscriber
    for name in "abc":
        hub.publish(("orders", name), {"x": 1})
    assert await hub.resume(("orders", "a"), 0) is not None
    assert await hub.resume(("orders", "b"), 0) is None
    assert await hub.resume(("orders", "c"), 0) is not None
