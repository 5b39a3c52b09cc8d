"""The trade history review's figures from the cache: statistics, the realised PnL curve
and its drawdown, per-market and per-day breakdowns, and pages of fills and orders, for a
filter of date range, markets, side and order type.

Liquidated slices count as closing trades beside the fills (a liquidation's realised loss
is part of the PnL). Long ranges are summed from the per-day table (`fill_days`, kept by
triggers) plus the raw rows of the partial days at either end, so a history of a million
fills answers in milliseconds; short ranges and order-type filters read the fills
themselves, bucketed at a resolution that keeps the curve near `TARGET_POINTS` points.
Days are UTC days.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection

DAY_MS = 86_400_000
RAW_SPAN_MS = 31 * DAY_MS
"""Ranges up to this long are read from the fills themselves (finer curve)."""
BUCKETS_MS = (60_000, 300_000, 900_000, 3_600_000, 4 * 3_600_000, DAY_MS)
"""Curve resolutions; each divides a day, so per-day figures add up from buckets."""
TARGET_POINTS = 1_500
PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """What to review (every field optional; ``end_ms`` is exclusive)."""

    start_ms: int | None = None
    end_ms: int | None = None
    markets: tuple[str, ...] = ()
    side: str | None = None
    order_type: str | None = None

    def span_ms(self) -> int | None:
        """The range's length (None when either end is open)."""
        if self.start_ms is None or self.end_ms is None:
            return None
        return max(0, self.end_ms - self.start_ms)


@dataclass(slots=True)
class Tally:
    """Fills summed: counts and quote-unit amounts (net = realised PnL less fees)."""

    fills: int = 0
    net: int = 0
    fees: int = 0
    realised: int = 0
    closes: int = 0
    """Fills that realised PnL (reduced or closed a position)."""
    wins: int = 0
    win_sum: int = 0
    loss_sum: int = 0
    worst: int | None = None
    """The lowest net of a closing fill (the largest loss when negative)."""

    def add(self, row: tuple) -> None:
        """Add a row of the tally columns (fills, net, fees, ..., worst)."""
        fills, net, fees, realised, closes, wins, win_sum, loss_sum, worst = row
        self.fills += fills
        self.net += net
        self.fees += fees
        self.realised += realised
        self.closes += closes
        self.wins += wins
        self.win_sum += win_sum
        self.loss_sum += loss_sum
        if worst is not None:
            self.worst = worst if self.worst is None else min(self.worst, worst)

    @property
    def losses(self) -> int:
        """Closing fills that did not win."""
        return self.closes - self.wins

    def win_rate(self) -> tuple[int, int]:
        """Wins over closing fills, as (wins, closes)."""
        return self.wins, self.closes

    def average_win(self) -> int | None:
        """Mean net of the winning closes (quote units)."""
        return self.win_sum // self.wins if self.wins else None

    def average_loss(self) -> int | None:
        """Mean net of the losing closes (quote units, negative)."""
        return -(-self.loss_sum // self.losses) if self.losses else None

    def profit_factor(self, precision: int = 10**6) -> int | None:
        """Gross wins over gross losses, in ``precision`` units (None without losses)."""
        return self.win_sum * precision // -self.loss_sum if self.loss_sum else None


@dataclass(slots=True)
class HistorySummary:
    """Every figure of the review for one filter."""

    filter: HistoryFilter
    bucket_ms: int
    totals: Tally = field(default_factory=Tally)
    markets: dict[str, Tally] = field(default_factory=dict)
    days: dict[int, Tally] = field(default_factory=dict)
    """By the day's start (epoch ms, UTC)."""
    funding: int = 0
    """Funding received (negative: paid), counted when no side or type filter is set."""
    funding_by_market: dict[str, int] = field(default_factory=dict)
    funding_by_day: dict[int, int] = field(default_factory=dict)
    curve_times: list[int] = field(default_factory=list)
    """Each bucket's end (epoch ms)."""
    curve: list[int] = field(default_factory=list)
    """Cumulative net PnL with funding at each bucket's end (quote units)."""
    drawdown: list[int] = field(default_factory=list)
    """How far below its running peak the curve is at each point (zero or negative)."""
    max_drawdown: int = 0

    @property
    def net_with_funding(self) -> int:
        """Realised PnL less fees, plus funding."""
        return self.totals.net + self.funding


TALLY_SQL = (
    "COUNT(*), SUM(realised_pnl - fee), SUM(fee), SUM(realised_pnl), SUM(realised_pnl <> 0),"
    " SUM(realised_pnl <> 0 AND realised_pnl - fee > 0),"
    " SUM(CASE WHEN realised_pnl <> 0 AND realised_pnl - fee > 0"
    " THEN realised_pnl - fee ELSE 0 END),"
    " SUM(CASE WHEN realised_pnl <> 0 AND realised_pnl - fee <= 0"
    " THEN realised_pnl - fee ELSE 0 END),"
    " MIN(CASE WHEN realised_pnl <> 0 THEN realised_pnl - fee END)"
)
DAY_TALLY_SQL = "SUM(fills), SUM(net), SUM(fees), SUM(realised), SUM(closes), SUM(wins)," \
    " SUM(win_sum), SUM(loss_sum), MIN(worst)"  # fmt: skip


def choose_bucket(span_ms: int) -> int:
    """The finest curve resolution that keeps ``span_ms`` near `TARGET_POINTS` points."""
    for bucket in BUCKETS_MS:
        if span_ms // bucket <= TARGET_POINTS:
            return bucket
    return DAY_MS


def _range(
    start_ms: int | None, end_ms: int | None, names: tuple[str, ...], time: str, market: str
) -> tuple[list[str], dict]:
    """Conditions on a time column in [start, end) and a market column in ``names``."""
    where, params = [], {}
    if start_ms is not None:
        where.append(f"{time} >= :start_ms")
        params["start_ms"] = start_ms
    if end_ms is not None:
        where.append(f"{time} < :end_ms")
        params["end_ms"] = end_ms
    if names:
        keys = [f"m{i}" for i in range(len(names))]
        where.append(f"{market} IN ({', '.join(':' + k for k in keys)})")
        params.update(zip(keys, names, strict=True))
    return where, params


def _fill_conditions(
    f: HistoryFilter, start_ms: int | None, end_ms: int | None
) -> tuple[list[str], dict]:
    where, params = _range(start_ms, end_ms, f.markets, "fills.time_ms", "fills.market")
    if f.side is not None:
        where.append("fills.side = :side")
        params["side"] = f.side
    if f.order_type is not None:
        where.append("orders.type = :order_type")
        params["order_type"] = f.order_type
    return where, params


def _where(where: list[str]) -> str:
    return f" WHERE {' AND '.join(where)}" if where else ""


def _fills_from(f: HistoryFilter) -> str:
    if f.order_type is None:
        return "fills"
    return "fills JOIN orders ON orders.order_id = fills.order_id"


CLOSES = (
    "(SELECT market, side, realised_pnl, fee, time_ms, order_id FROM fills UNION ALL"
    " SELECT market, CASE WHEN size > 0 THEN 'sell' ELSE 'buy' END, realised_pnl, fee,"
    " time_ms, NULL FROM liquidations) AS fills"
)
"""Fills and liquidated slices together (a liquidation closes on the side that reduces the
position, with its realised PnL and fee), as the per-day table sums them."""


def _raw_rows(
    connection: Connection, f: HistoryFilter, start: int | None, end: int | None, bucket: int
) -> list[tuple]:
    """(market, bucket start, tally columns...) read from the fills (and, without an
    order-type filter, the liquidations) themselves."""
    where, params = _fill_conditions(f, start, end)
    params["bucket"] = bucket
    source = CLOSES if f.order_type is None else _fills_from(f)
    sql = (
        f"SELECT fills.market, fills.time_ms / :bucket * :bucket, {TALLY_SQL}"
        f" FROM {source}" + _where(where) + " GROUP BY 1, 2"
    )
    return list(connection.exec_driver_sql(sql, params))


def _day_rows(
    connection: Connection, f: HistoryFilter, first_day: int | None, end_day: int | None
) -> list[tuple]:
    """(market, day start, tally columns...) from the per-day table, days in
    [first_day, end_day)."""
    where, params = _range(first_day, end_day, f.markets, "day", "market")
    if f.side is not None:
        where.append("side = :side")
        params["side"] = f.side
    sql = (
        f"SELECT market, day * {DAY_MS}, {DAY_TALLY_SQL} FROM fill_days"
        + _where(where)
        + " GROUP BY market, day"
    )
    return list(connection.exec_driver_sql(sql, params))


def _bucketed_rows(connection: Connection, f: HistoryFilter) -> tuple[int, list[tuple]]:
    span = f.span_ms()
    if f.order_type is not None or (span is not None and span <= RAW_SPAN_MS):
        if span is None:
            known = fill_span(connection)
            span = 0 if known is None else known[1] - known[0]
        bucket = choose_bucket(span)
        return bucket, _raw_rows(connection, f, f.start_ms, f.end_ms, bucket)
    first_full = None if f.start_ms is None else -(-f.start_ms // DAY_MS)
    end_full = None if f.end_ms is None else f.end_ms // DAY_MS
    rows = _day_rows(connection, f, first_full, end_full)
    if f.start_ms is not None and first_full is not None and f.start_ms < first_full * DAY_MS:
        rows += _raw_rows(connection, f, f.start_ms, first_full * DAY_MS, DAY_MS)
    if f.end_ms is not None and end_full is not None and end_full * DAY_MS < f.end_ms:
        rows += _raw_rows(connection, f, end_full * DAY_MS, f.end_ms, DAY_MS)
    return DAY_MS, rows


def _funding_rows(connection: Connection, f: HistoryFilter, bucket: int) -> list[tuple]:
    """(market, bucket start, amount) of the funding payments in the filter's range."""
    if f.side is not None or f.order_type is not None:
        return []
    where, params = _range(f.start_ms, f.end_ms, f.markets, "settled_at_ms", "market")
    params["bucket"] = bucket
    sql = (
        "SELECT market, settled_at_ms / :bucket * :bucket, SUM(amount) FROM funding_payments"
        + _where(where)
        + " GROUP BY 1, 2"
    )
    return list(connection.exec_driver_sql(sql, params))


def summarise(connection: Connection, f: HistoryFilter) -> HistorySummary:
    """Every figure of the review for ``f``."""
    bucket, rows = _bucketed_rows(connection, f)
    summary = HistorySummary(f, bucket)
    per_bucket: dict[int, int] = {}
    for market, start, *tally in rows:
        if not tally[0]:
            continue
        summary.totals.add(tally)
        summary.markets.setdefault(market, Tally()).add(tally)
        summary.days.setdefault(start // DAY_MS * DAY_MS, Tally()).add(tally)
        per_bucket[start] = per_bucket.get(start, 0) + tally[1]
    for market, start, amount in _funding_rows(connection, f, bucket):
        summary.funding += amount
        by_market = summary.funding_by_market
        by_market[market] = by_market.get(market, 0) + amount
        day = start // DAY_MS * DAY_MS
        summary.funding_by_day[day] = summary.funding_by_day.get(day, 0) + amount
        per_bucket[start] = per_bucket.get(start, 0) + amount
    _curve(summary, per_bucket)
    return summary


def _curve(summary: HistorySummary, per_bucket: dict[int, int]) -> None:
    total = peak = 0
    for start in sorted(per_bucket):
        total += per_bucket[start]
        peak = max(peak, total)
        summary.curve_times.append(start + summary.bucket_ms)
        summary.curve.append(total)
        summary.drawdown.append(total - peak)
    summary.max_drawdown = min(summary.drawdown, default=0)


def markets(connection: Connection) -> list[str]:
    """The markets the cache has fills of."""
    return [m for (m,) in connection.exec_driver_sql("SELECT DISTINCT market FROM fill_days")]


def count_fills(connection: Connection, f: HistoryFilter) -> int:
    """How many fills match ``f``."""
    where, params = _fill_conditions(f, f.start_ms, f.end_ms)
    sql = f"SELECT COUNT(*) FROM {_fills_from(f)}" + _where(where)
    return int(connection.exec_driver_sql(sql, params).scalar() or 0)


FILL_COLUMNS = (
    "fills.trade_id, fills.order_id, fills.market, fills.side, fills.role, fills.price,"
    " fills.size, fills.fee, fills.realised_pnl, fills.time_ms"
)


def fills_page(
    connection: Connection,
    f: HistoryFilter,
    before: tuple[int, int] | None = None,
    limit: int = PAGE_SIZE,
) -> list[tuple]:
    """Fills matching ``f``, newest first, after the (time, trade id) ``before``."""
    where, params = _fill_conditions(f, f.start_ms, f.end_ms)
    source = f"{FILL_COLUMNS} FROM {_fills_from(f)}"
    keys = ("fills.time_ms", "fills.trade_id")
    return _newest_page(connection, source, where, params, keys, before, limit)


ORDER_COLUMNS = (
    "order_id, client_order_id, market, side, type, status, size, filled, average_price,"
    " fees_paid, price, trigger_price, time_in_force, post_only, reduce_only, parent_id,"
    " reject_reason, created_at_ms, updated_at_ms"
)


def orders_page(
    connection: Connection,
    f: HistoryFilter,
    before: tuple[int, int] | None = None,
    limit: int = PAGE_SIZE,
) -> list[tuple]:
    """Orders placed in ``f``'s range (and matching its markets, side and type), newest
    first, after the (created time, order id) ``before``."""
    where, params = _order_conditions(f)
    source = f"{ORDER_COLUMNS} FROM orders"
    keys = ("created_at_ms", "order_id")
    return _newest_page(connection, source, where, params, keys, before, limit)


def _newest_page(
    connection: Connection,
    source: str,
    where: list[str],
    params: dict,
    keys: tuple[str, str],
    before: tuple[int, int] | None,
    limit: int,
) -> list[tuple]:
    """``SELECT source`` under ``where``, newest first by the (time, id) ``keys``, the
    rows after ``before`` (the keys of the previous page's last row)."""
    time_key, id_key = keys
    if before is not None:
        where = [*where, f"({time_key}, {id_key}) < (:before_time, :before_id)"]
        params = params | {"before_time": before[0], "before_id": before[1]}
    sql = (
        f"SELECT {source}"
        + _where(where)
        + f" ORDER BY {time_key} DESC, {id_key} DESC LIMIT :limit"
    )
    return list(connection.exec_driver_sql(sql, params | {"limit": limit}))


def count_orders(connection: Connection, f: HistoryFilter) -> int:
    """How many orders `orders_page` pages through for ``f``."""
    where, params = _order_conditions(f)
    sql = "SELECT COUNT(*) FROM orders" + _where(where)
    return int(connection.exec_driver_sql(sql, params).scalar() or 0)


def _order_conditions(f: HistoryFilter) -> tuple[list[str], dict]:
    """`orders_page`'s conditions: placed in the range, in the markets, side and type."""
    where, params = _range(f.start_ms, f.end_ms, f.markets, "created_at_ms", "market")
    if f.side is not None:
        where.append("side = :side")
        params["side"] = f.side
    if f.order_type is not None:
        where.append("type = :order_type")
        params["order_type"] = f.order_type
    return where, params


def fill_span(connection: Connection) -> tuple[int, int] | None:
    """The times of the oldest and the newest fill (None: no fills)."""
    # two subqueries: SQLite answers a lone MIN or MAX from the index, not both at once
    first, last = connection.exec_driver_sql(
        "SELECT (SELECT MIN(time_ms) FROM fills), (SELECT MAX(time_ms) FROM fills)"
    ).one()
    return None if first is None else (int(first), int(last))


def last_synced(connection: Connection) -> int | None:
    """When a stream was last synced (epoch ms; None: never)."""
    value = connection.exec_driver_sql("SELECT MAX(synced_at_ms) FROM sync_cursors").scalar()
    return None if value is None else int(value)
