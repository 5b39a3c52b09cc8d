"""PnL rows as the panel shows them: the server's lifetime figures per market, with each
open position's unrealised PnL moved to the live mark (with the domain's own position
math, as the server computes it), and the totals summed from the rows shown."""

from __future__ import annotations

from collections.abc import Mapping

from backend.domain.margin import MarketPrices
from quantdesk_desktop.panels.ticket.store_view import position_of
from quantdesk_desktop.state.portfolio import PnlRow, PortfolioState
from quantdesk_desktop.state.positions import PositionView


def pnl_rows(
    portfolio: PortfolioState,
    positions: Mapping[str, PositionView],
    prices: Mapping[str, MarketPrices],
) -> list[PnlRow]:
    """A row per market (by symbol) and the totals last; none before the first answer
    when nothing is held."""
    if portfolio.total is None and not positions:
        return []
    by_market = {row.market: row for row in portfolio.markets if row.market}
    for market in positions:
        by_market.setdefault(market, PnlRow(market, 0, 0, 0, 0, 0))
    rows = []
    for market in sorted(by_market):
        row = by_market[market]
        unrealised = _unrealised(row, positions.get(market), prices.get(market))
        net = row.realised + unrealised - row.fees + row.funding
        rows.append(PnlRow(market, row.realised, unrealised, row.fees, row.funding, net))
    sums = [sum(getattr(r, name) for r in rows) for name in ("realised", "unrealised")]
    fees, funding = sum(r.fees for r in rows), sum(r.funding for r in rows)
    net = sums[0] + sums[1] - fees + funding
    return [*rows, PnlRow(None, sums[0], sums[1], fees, funding, net)]


def _unrealised(row: PnlRow, held: PositionView | None, prices: MarketPrices | None) -> int:
    """The live figure when the position and its mark are known; 0 when flat; else the
    server's."""
    if held is None or not held.size:
        return 0
    if prices is None:
        return row.unrealised
    return position_of(held).unrealised_pnl(prices.mark)
