"""One signed-in session with a backend: fills the `MarketStore` from REST and the
stream, follows what panels ask for, and carries out their trading intents.

Everything runs on the asyncio loop (qasync's in the application). Panels call nothing
here: the window connects their intent signals to `place_limit`, `cancel` and `modify`,
and the store's followed topics are synced to stream subscriptions.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from backend.domain.fixed_point import BASE_PRECISION, PRICE_PRECISION, format_fixed
from quantdesk_desktop.client.chain_transfers import ChainTransfers
from quantdesk_desktop.client.outcomes import OrderRefusal
from quantdesk_desktop.client.portfolio_feed import PortfolioFeed
from quantdesk_desktop.client.rest import ApiError, RestClient
from quantdesk_desktop.client.stream import StreamClient, Subscription
from quantdesk_desktop.client.wallet import Wallet
from quantdesk_desktop.state.history import PAGE_SIZE
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.wallet.errors import WalletError

if TYPE_CHECKING:
    from quantdesk_desktop.cache.database import CacheDatabase
    from quantdesk_desktop.client.cache_sync import CacheSync

log = logging.getLogger("quantdesk.session")

ALWAYS = ("prices",)
"""Public channels followed for every market (the watchlist and status bar need them)."""
PRIVATE_CHANNELS = ("orders", "fills", "positions", "account", "alerts")
TICKERS_EVERY_S = 2.0
RISK_EVERY_S = 2.0
HISTORY_CANDLES = 1_000
TRANSFER_KINDS = ("deposit", "withdraw")
TAPE_HISTORY = 200
CACHE_EVERY_S = 60.0
"""How often the cache catches up besides (re)connecting: funding has no private channel."""
RECENT_CANDLES = 100


class WorkstationClient:
    """The client layer of one workstation window set."""

    def __init__(
        self,
        store: MarketStore,
        base_url: str,
        wallet: Wallet,
        cache: CacheDatabase | None = None,
    ) -> None:
        self.store = store
        self.wallet = wallet
        self.rest = RestClient(base_url)
        ws_url = base_url.replace("http://", "ws://").replace("https://", "wss://") + "/ws"
        self.stream = StreamClient(
            ws_url,
            self._on_message,
            self._on_state,
            self.rest.fresh_token,
            on_latency=self._on_latency,
        )
        self.store.connection.backend_url = base_url
        self._tasks: list[asyncio.Task] = []
        self._orders = itertools.count(1)
        self._synced_wanted = -1
        self.notices: list[str] = []
        """Messages for the user (refusals, failures), newest last."""
        self.portfolio = PortfolioFeed(store, self.rest, self._notice)
        """The Portfolio panel's figures, reloaded as the account moves."""
        self.chain = ChainTransfers(self.rest, wallet)
        """Transfers signed by the wallet, when the backend settles on Solana."""
        self.on_own_update: Callable[[], None] | None = None
        """Called when the account's orders, positions or fills changed (the window runs a
        frame at once instead of waiting for its clock)."""
        self.cache: CacheSync | None = None
        """The account's local cache, kept in step (None: no cache, or not yet)."""
        self._cache_database = cache

    async def start(self) -> None:
        """Sign in, load the markets and the account, and start streaming."""
        await self.rest.sign_in(self.wallet)
        self.store.account.pubkey = self.wallet.pubkey
        self.store.board.load_specs(await self.rest.markets())
        await self._load_account()
        for market in self.store.board.symbols:
            for channel in ALWAYS:
                self.stream.subscribe((channel, market, None))
        for channel in PRIVATE_CHANNELS:
            self.stream.subscribe((channel, None, None))
        self._spawn(self.stream.run())
        self._spawn(self._poll(self._load_tickers, TICKERS_EVERY_S))
        self._spawn(self._poll(self._load_risk, RISK_EVERY_S))
        self._spawn(self.load_order_history())
        if self._cache_database is not None:
            self.use_cache(self._cache_database)
        self._spawn(self.portfolio.follow())
        self.sync_wanted()

    def use_cache(self, database: CacheDatabase) -> None:
        """Keep ``database`` in step with the account from now on (catching it up first)."""
        from quantdesk_desktop.client.cache_sync import CacheSync  # the database layer, late

        self.cache = CacheSync(database, self.rest)
        self.cache.save_markets(list(self.store.board.specs.values()))
        self._spawn(self._poll(self._catch_up, CACHE_EVERY_S))

    async def stop(self) -> None:
        """Stop streaming and polling, and close the connections."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self.rest.aclose()
        if self.cache is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.cache.close)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        task.add_done_callback(_report)
        self._tasks.append(task)

    async def _poll(self, load, every_s: float) -> None:
        while True:
            with contextlib.suppress(ApiError):
                await load()
            await asyncio.sleep(every_s)

    async def _load_account(self) -> None:
        self.store.account.balances = await self.rest.balances()
        self.store.account.version += 1
        working = await self.rest.open_orders()
        self.store.orders.load(working)
        self.store.history.load_working(working)
        self.store.positions.apply_positions({"positions": await self.rest.positions()})

    async def _load_tickers(self) -> None:
        for ticker in await self.rest.tickers():
            self.store.board.apply_ticker(ticker)

    async def _load_risk(self) -> None:
        risk = await self.rest.risk()
        account = self.store.account
        account.health = risk["health"]
        account.equity = risk["equity"]
        account.free_collateral = risk["free_collateral"]
        account.risk = risk
        account.version += 1
        self.store.alerts.observe_health(risk.get("health"), _now_ms())

    async def load_order_history(self) -> None:
        """Load the next page of finished orders (the first at start, then one each time a
        panel asks for more)."""
        history = self.store.history
        if not history.start_loading():
            return
        try:
            page = await self.rest.order_history(limit=PAGE_SIZE, cursor=history.next_cursor)
        except ApiError as error:
            history.load_failed(error.message)
            self._notice(f"order history: {error.message}")
        else:
            history.load_page(page)

    # -- following what panels want -------------------------------------------------

    def sync_wanted(self) -> None:
        """Subscribe to what panels follow now and drop what none follows any more
        (cheap when nothing changed: the window calls it every frame); load the next page
        of order history if a panel asked for it."""
        if self.store.history.more_wanted:
            self._spawn(self.load_order_history())
        if self.store.portfolio.funding_more_wanted:
            self._spawn(self.portfolio.load_funding_page())
        if self._synced_wanted == self.store.wanted_version:
            return
        self._synced_wanted = self.store.wanted_version
        wanted = {_subscription(topic) for topic in self.store.wanted}
        current = {s for s in self.stream.subscriptions if s[0] in ("book", "trades", "candles")}
        for subscription in current - wanted:
            self.stream.unsubscribe(subscription)
        for subscription in sorted(wanted - current, key=repr):
            if subscription[0] == "candles":
                self._spawn(self._load_candles(subscription))
            else:
                self.stream.subscribe(subscription)
                if subscription[0] == "trades":
                    self._spawn(self._load_trades(subscription))

    async def _load_candles(self, subscription: Subscription) -> None:
        _, market, interval = subscription
        assert market is not None and interval is not None
        try:
            history = await self.rest.candles(market, interval, HISTORY_CANDLES)
        except ApiError as error:
            self._notice(f"{market} {interval} candles: {error.message}")
            history = []
        self.store.candle_series(market, interval).load(history)
        if self.cache is not None:
            self.cache.candles(market, interval, history)
        self.stream.subscribe(subscription)

    async def _load_trades(self, subscription: Subscription) -> None:
        market = subscription[1]
        assert market is not None
        try:
            history = await self.rest.public_trades(market, TAPE_HISTORY)
        except ApiError as error:
            self._notice(f"{market} trades: {error.message}")
            return
        self.store.tape(market).load_history(history)

    # -- messages ---------------------------------------------------------------------

    async def _catch_up(self) -> None:
        """Bring the cache up to date (the candles the charts show included)."""
        assert self.cache is not None
        await self.cache.catch_up()
        if self.cache.synced_at_ms is not None:
            self.store.review.mark_synced(self.cache.synced_at_ms)
        for channel, market, interval in list(self.store.wanted):
            if channel == "candles" and interval is not None:
                recent = await self.rest.candles(market, interval, RECENT_CANDLES)
                self.cache.candles(market, interval, recent)

    async def _catch_up_once(self) -> None:
        with contextlib.suppress(ApiError):
            await self._catch_up()

    def _on_state(self, state: str, detail: str) -> None:
        connection = self.store.connection
        if state == "online" and connection.state != "online" and self.cache is not None:
            self._spawn(self._catch_up_once())  # back online: fetch what was missed
        connection.state, connection.detail = state, detail
        connection.version += 1

    def _on_message(self, message: dict, received: float) -> None:
        channel = message["channel"]
        store = self.store
        if channel == "book":
            if not store.book(message["market"]).apply(message, received):
                self.stream.resubscribe(("book", message["market"], None))
        elif channel == "trades":
            store.tape(message["market"]).apply(message)
        elif channel == "candles":
            if message.get("candle") is not None:  # a snapshot before any trade has none
                series = store.candle_series(message["market"], message["interval"])
                series.update(message["candle"])
        elif channel == "prices":
            store.board.apply_prices(message)
        elif channel in ("orders", "positions", "fills"):
            self._apply_own(channel, message)
        elif channel == "account":
            store.account.balances = message.get("balances", [])
            store.account.version += 1
            self.portfolio.moved()
        elif channel == "alerts":
            store.alerts.apply(message, _now_ms())
            self._notice(_alert_text(message))

    def _apply_own(self, channel: str, message: dict) -> None:
        """The account's own orders, positions and fills, shown at once (`on_own_update`)
        and kept in the cache."""
        store = self.store
        if self.cache is not None:
            self.cache.live(channel, message)
        if channel == "orders":
            store.orders.apply(message)
            store.history.apply(message)
        elif channel == "positions":
            store.positions.apply_positions(message)
        else:
            store.positions.apply_fill(message)
            self.portfolio.moved()
        if self.on_own_update is not None:
            self.on_own_update()

    def _on_latency(self, latency_ms: float) -> None:
        self.store.connection.latency_ms = latency_ms
        self.store.connection.version += 1

    def _notice(self, text: str) -> None:
        log.info("notice: %s", text)
        self.notices.append(text)
        del self.notices[:-50]

    # -- intents ----------------------------------------------------------------------

    def place_limit(self, market: str, side: str, price: int, size: int) -> None:
        """A limit order from a panel (price and size in units)."""
        order = {
            "market": market,
            "side": side,
            "type": "limit",
            "size": format_fixed(size, BASE_PRECISION),
            "price": format_fixed(price, PRICE_PRECISION),
            "client_order_id": self.new_client_order_id(),
        }
        self._spawn(self._trade({"op": "place", "order": order}, f"{side} {market}"))

    def new_client_order_id(self) -> str:
        """A client order id unique to this session (a retry reuses the first one)."""
        return f"qd-{next(self._orders)}-{self.wallet.pubkey[:6]}"

    def submit(self, order: dict, on_result: Callable[[object], None] | None = None) -> None:
        """Any order body; ``on_result`` gets the accepted order (the server's `OrderOut`)
        or an `OrderRefusal` (offline, refused, or no answer). An order that carries a
        ``client_order_id`` keeps it, so a retry cannot place it twice."""
        body = dict(order)
        body.setdefault("client_order_id", self.new_client_order_id())
        self._spawn(self._submit(body, on_result))

    async def _submit(self, body: dict, on_result) -> None:
        what = f"{body.get('side')} {body.get('market')}"
        try:
            answer = await self.stream.request({"op": "place", "order": body})
        except (ConnectionError, TimeoutError) as error:
            outcome: object = OrderRefusal("offline", f"not sent: {error}; nothing was placed")
        else:
            if answer.get("type") == "ack":
                outcome = answer["order"]
            else:
                outcome = OrderRefusal(
                    answer.get("code", "refused"), answer.get("message", ""), answer.get("field")
                )
        if isinstance(outcome, OrderRefusal):
            self._notice(f"{what}: {outcome.message}")
        if on_result is not None:
            on_result(outcome)

    def transfer(
        self,
        kind: str,
        asset: str,
        amount_text: str,
        on_result: Callable[[object], None] | None = None,
    ) -> None:
        """Deposit or withdraw (``kind``) ``amount_text`` of ``asset``; ``on_result`` gets
        the balances after, as the server states them, or an `OrderRefusal` (with the field
        it concerns: a withdrawal that would breach initial margin names ``amount``)."""
        if kind not in TRANSFER_KINDS:
            raise ValueError(f"unknown transfer {kind!r}; one of {', '.join(TRANSFER_KINDS)}")
        self._spawn(self._transfer(kind, asset, amount_text, on_result))

    async def _transfer(self, kind: str, asset: str, amount_text: str, on_result) -> None:
        move = self.rest.deposit if kind == "deposit" else self.rest.withdraw
        try:
            if await self.chain.on_chain():  # signed by the wallet, settled on Solana
                balances = await self.chain.transfer(kind, asset, amount_text)
            else:
                balances = await move(asset, amount_text)
        except WalletError as error:  # refused in the signing dialog, or unreadable
            outcome: object = OrderRefusal("not_signed", f"{error}; nothing was sent")
            self._notice(f"{kind} {amount_text} {asset}: {outcome.message}")
        except ApiError as error:
            if error.status == 0:  # never reached, or no answer: it may have been done
                outcome = OrderRefusal(
                    "offline",
                    f"no answer from the server ({error.message}); check the balances "
                    "before trying again",
                )
            else:
                outcome = OrderRefusal(error.code, error.message, error.field)
            self._notice(f"{kind} {amount_text} {asset}: {outcome.message}")
        else:
            self.store.account.balances = balances
            self.store.account.version += 1
            self.portfolio.moved()
            outcome = balances
        if on_result is not None:
            on_result(outcome)

    def cancel_all(self, market: str | None) -> None:
        """Cancel every working order in ``market`` (None: everywhere)."""
        self._spawn(self._cancel_all(market))

    async def _cancel_all(self, market: str | None) -> None:
        try:
            await self.rest.cancel_all(market)
        except ApiError as error:
            self._notice(f"cancel all: {error.message}")

    def amend(self, order_id: int, price: int | None, size: int | None) -> None:
        """Change a resting order's price and/or size."""
        self._spawn(self._amend(order_id, price, size))

    async def _amend(self, order_id: int, price: int | None, size: int | None) -> None:
        try:
            await self.rest.modify_order(
                order_id,
                None if price is None else format_fixed(price, PRICE_PRECISION),
                None if size is None else format_fixed(size, BASE_PRECISION),
            )
        except ApiError as error:
            self._notice(f"modify {order_id}: {error.message}")
            self.store.orders.version += 1  # what was edited in place goes back

    def cancel(self, order_id: int) -> None:
        """Cancel one of the account's orders."""
        self._spawn(self._trade({"op": "cancel", "order_id": order_id}, f"cancel {order_id}"))

    def modify(self, order_id: int, price: int) -> None:
        """Move a resting order to a new price."""
        self.amend(order_id, price, None)

    async def _trade(self, op: dict, what: str) -> None:
        try:
            answer = await self.stream.request(op)
        except (ConnectionError, TimeoutError) as error:
            self._notice(f"{what}: not sent ({error})")
            return
        if answer.get("type") == "error":
            self._notice(f"{what}: {answer.get('message')}")


def _subscription(topic: tuple[str, str, str | None]) -> Subscription:
    channel, market, interval = topic
    return (channel, market, interval)


def _alert_text(message: dict) -> str:
    if message.get("type") == "margin_call":
        return f"Margin call on {message.get('market')}: health {message.get('health')}"
    if message.get("type") == "liquidation":
        closed = ", ".join(f"{c['market']} {c['size']} @ {c['price']}" for c in message["closed"])
        return f"Liquidated: {closed}"
    return str(message)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _report(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("a client task failed", exc_info=task.exception())
