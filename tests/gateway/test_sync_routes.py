"""The catch-up feeds over HTTP: pages with their cursor, the same cursor back when
nothing is new, each user's own rows only, and a malformed cursor refused."""

from __future__ import annotations

from backend.services.liquidity.maker_agents import MarketMakerAgents
from tests.gateway.test_market_data_routes import Env, _trade, env  # noqa: F401  (fixture)
from tests.gateway.traders import sign_in


async def test_order_changes_page_with_a_cursor(env: Env) -> None:  # noqa: F811
    MarketMakerAgents(env.trading, env.clock).step()
    trader = await sign_in(env.http)
    for number in range(3):
        env.clock.advance(1_000)
        await _trade(trader, "1", cid=f"s{number}")
    first = (await trader.get("/api/sync/orders?limit=2")).json()
    assert [o["client_order_id"] for o in first["orders"]] == ["s0", "s1"]
    last = first["orders"][-1]
    assert first["next_cursor"] == f"{last['updated_at_ms']}-{last['order_id']}"
    rest = (await trader.get(f"/api/sync/orders?cursor={first['next_cursor']}")).json()
    assert [o["client_order_id"] for o in rest["orders"]] == ["s2"]
    assert all(o["status"] == "filled" and o["updated_at_ms"] for o in rest["orders"])
    done = (await trader.get(f"/api/sync/orders?cursor={rest['next_cursor']}")).json()
    assert done == {"orders": [], "next_cursor": rest["next_cursor"]}
    stranger = await sign_in(env.http)
    assert (await stranger.get("/api/sync/orders")).json() == {"orders": [], "next_cursor": None}
    assert (await stranger.get("/api/sync/funding")).json() == {"payments": [], "next_cursor": 0}
    empty = {"liquidations": [], "next_cursor": 5}
    assert (await stranger.get("/api/sync/liquidations?cursor=5")).json() == empty
    refused = await trader.get("/api/sync/orders?cursor=yesterday")
    assert refused.status_code == 422 and refused.json()["field"] == "cursor"
    assert (await env.http.get("/api/sync/orders")).status_code == 401


async def test_transfers_feed_names_the_kind_and_the_decimals(env: Env) -> None:  # noqa: F811
    trader = await sign_in(env.http)
    for path, amount in (("deposit", "500"), ("withdraw", "120.5")):
        answer = await trader.post(f"/api/account/{path}", {"asset": "USDC", "amount": amount})
        assert answer.status_code == 200, answer.text
    page = (await trader.get("/api/sync/transfers")).json()
    moves = [(t["kind"], t["amount"], t["decimals"]) for t in page["transfers"]]
    assert moves[-2:] == [("deposit", "500", 6), ("withdraw", "-120.5", 6)]
    assert page["next_cursor"] == page["transfers"][-1]["id"]
    again = (await trader.get(f"/api/sync/transfers?cursor={page['next_cursor']}")).json()
    assert again == {"transfers": [], "next_cursor": page["next_cursor"]}
