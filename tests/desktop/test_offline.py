"""With no backend, the workstation works from its cache: the market specs saved at the
last connection, the candles its charts had and the account's fills (the chart marks
them); an order is refused and said so, nothing queued."""

from __future__ import annotations

from pathlib import Path

from quantdesk_desktop.cache.database import CacheDatabase, cache_path
from quantdesk_desktop.client.offline import OFFLINE, OfflineSession
from quantdesk_desktop.client.outcomes import OrderRefusal
from quantdesk_desktop.client.session import WorkstationClient
from quantdesk_desktop.client.wallet import load_wallet
from quantdesk_desktop.panels.chart.panel import ChartPanel
from quantdesk_desktop.state.store import MarketStore
from tests.desktop.live_backend import until

MARKET = "SOL-PERP"


async def test_an_offline_start_shows_the_cached_market_candles_and_fills(
    backend, tmp_path: Path, qtbot
) -> None:
    wallet = load_wallet("test", tmp_path)
    path = cache_path(tmp_path / "data", "embedded", wallet.pubkey)
    online = MarketStore()
    client = WorkstationClient(online, backend.url, wallet, CacheDatabase(path, wallet.pubkey))
    await client.start()
    try:
        chart = ChartPanel(online, MARKET)
        qtbot.addWidget(chart)
        client.sync_wanted()
        interval = chart.interval
        await until(lambda: client.stream.connected, "the socket online")
        answers: list[object] = []
        for side in ("buy", "sell", "buy"):
            order = {"market": MARKET, "side": side, "type": "market", "size": "0.5"}
            client.submit(order, answers.append)
        await until(lambda: len(answers) == 3, "the orders answered")
        assert not any(isinstance(answer, OrderRefusal) for answer in answers), answers
        await until(lambda: len(online.positions.fills) >= 3, "the fills")
        series = online.candle_series(MARKET, interval)
        await until(lambda: len(series) > 0, "the chart's candles")
        assert client.cache is not None
        await client.cache.catch_up()
        online_fills = list(online.positions.fills)
    finally:
        await client.stop()
        client.cache.database.close()
    backend.stop()  # no backend from here on

    store = MarketStore()
    session = OfflineSession(store, CacheDatabase(path, wallet.pubkey))
    session.start()
    assert store.connection.state == "offline" and store.connection.detail == OFFLINE
    assert MARKET in store.board.symbols and store.board.specs[MARKET]["tick_size"]
    assert [f.trade_id for f in store.positions.fills] == [f.trade_id for f in online_fills]
    assert list(store.positions.fills) == online_fills  # prices, sizes, fees exactly
    chart = ChartPanel(store, MARKET)
    qtbot.addWidget(chart)
    session.sync_wanted()
    cached = store.candle_series(MARKET, chart.interval)
    assert len(cached) > 0 and cached.times[-1] >= series.times[0]
    assert [f.trade_id for f in store.positions.fills_in(MARKET)]  # the chart's markers

    refusals: list[object] = []
    session.submit({"market": MARKET, "side": "buy", "type": "market", "size": "1"},
                   refusals.append)  # fmt: skip
    assert refusals == [OrderRefusal("offline", OFFLINE, None)]
    session.database.close()
