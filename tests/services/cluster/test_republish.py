"""An engine that dies between its commit and its message to Redis leaves committed
commands whose stream messages were never sent: the next owner of the market sends them
(and only them) before it carries out anything new."""

from __future__ import annotations

import json

import pytest
from redis.asyncio import Redis
from sqlmodel import Session

from backend.domain.fixed_point import parse_price
from backend.domain.markets import MarketCatalog
from backend.gateway.ws.events import StreamPublisher
from backend.services.clock import ManualClock
from backend.services.cluster.engine_node import EngineNode
from backend.services.cluster.outbox import Outbox
from backend.services.trading.commands import Deposit, SetPrices, Submit
from backend.services.trading.margin_calls import MarginCallWatch
from backend.services.trading.shared_log import SharedLogTrading
from backend.store.leases import claim
from tests.domain.order_factory import request

P = parse_price
START = 1_790_000_000_000
MARKET = "SOL-PERP"
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def _engine(
    catalog: MarketCatalog, db, redis: Redis, owner: str
) -> tuple[SharedLogTrading, EngineNode]:
    trading = SharedLogTrading.open(catalog, db, ManualClock(START), owner=owner)
    outbox = Outbox(redis, lambda: trading.last_command_id)
    trading.on_commit(StreamPublisher(outbox, trading.state, MarginCallWatch(trading.state)))
    return trading, EngineNode(trading, redis, outbox)


def _market_with_a_seller(
    catalog: MarketCatalog, db, redis: Redis
) -> tuple[SharedLogTrading, EngineNode]:
    """engine-old owning the market, with prices, two funded accounts and a maker's
    resting sell of 2 at 150."""
    trading, node = _engine(catalog, db, redis, "engine-old")
    with Session(db) as session:
        claim(session, MARKET, "engine-old", ttl_s=60)
        session.commit()
    trading.lanes = {MARKET}
    trading.execute(SetPrices(MARKET, mark=P("150"), oracle=P("150"), last=P("150")))
    for account in ("alice", "maker"):
        trading.execute(Deposit(account, "USDC", 10**12))
    trading.execute(Submit(request("sell", price="150", size="2", account="maker")))
    return trading, node


def _take_over(db, market: str, old: str, new: str) -> None:
    with Session(db) as session:
        claim(session, market, old, ttl_s=0)  # the old owner's lease runs out
        assert claim(session, market, new, ttl_s=60) is not None
        session.commit()


async def _trade_ids(redis: Redis, topic: str) -> list[int]:
    history = await redis.xrange(f"qd:hist:{topic}")
    ids = []
    for _, fields in history:
        message = json.loads(fields["m"])
        if message.get("type") == "fill":
            ids.append(message["fill"]["trade_id"])
        elif message.get("type") == "trades":
            ids.extend(t["id"] for t in message["trades"])
    return ids


@pytest.mark.parametrize("new_owner_starts", ["before the failure", "after the failure"])
async def test_the_next_owner_sends_what_a_failed_engine_committed_but_never_sent(
    catalog: MarketCatalog, db, redis: Redis, new_owner_starts: str
) -> None:
    old, old_node = _market_with_a_seller(catalog, db, redis)
    sent = old.execute(Submit(request("buy", type="market", price=None, size="1", account="alice")))
    await old_node.flush()  # everything so far reached Redis
    if new_owner_starts == "before the failure":
        new, new_node = _engine(catalog, db, redis, "engine-new")
    lost = old.execute(Submit(request("buy", type="market", price=None, size="1", account="alice")))
    # engine-old dies here: committed, never sent
    if new_owner_starts == "after the failure":
        new, new_node = _engine(catalog, db, redis, "engine-new")
    _take_over(db, MARKET, "engine-old", "engine-new")
    new.catch_up()
    new.lanes = {MARKET}

    await new_node.republish(MARKET)

    first, second = sent.fills[0].trade_id, lost.fills[0].trade_id
    assert await _trade_ids(redis, "fills:alice") == [first, second]
    assert await _trade_ids(redis, f"trades:{MARKET}") == [first, second]
    await new_node.republish(MARKET)  # nothing twice
    assert await _trade_ids(redis, "fills:alice") == [first, second]


async def test_with_nothing_recorded_in_redis_nothing_is_resent(
    catalog: MarketCatalog, db, redis: Redis
) -> None:
    first, _ = _market_with_a_seller(catalog, db, redis)
    first.execute(Submit(request("buy", type="market", price=None, size="1", account="alice")))
    await redis.flushall()  # a Redis that lost its data: what was sent is unknown
    new, new_node = _engine(catalog, db, redis, "engine-new")
    _take_over(db, MARKET, "engine-old", "engine-new")
    new.lanes = {MARKET}
    await new_node.republish(MARKET)
    assert await _trade_ids(redis, "fills:alice") == []
    assert int(await redis.get(f"qd:published:{MARKET}")) == new.last_command_id
