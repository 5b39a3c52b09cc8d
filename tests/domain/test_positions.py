"""Position arithmetic: entry flows, realised and unrealised PnL, flips."""

from __future__ import annotations

from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.positions import Position, apply_trade, trade_flow

P, B = parse_price, parse_base


def test_open_long_records_the_quote_paid() -> None:
    position = Position("SOL-PERP")
    realised, flow = apply_trade(position, B("2"), P("150"))
    # 2 SOL * 150 = 300 USDC paid
    assert (realised, flow) == (0, -300_000_000)
    assert position.base == B("2") and position.quote_entry == -300_000_000
    assert position.entry_price() == P("150")


def test_unrealised_pnl_at_mark() -> None:
    position = Position("SOL-PERP", base=B("2"), quote_entry=-300_000_000)
    assert position.unrealised_pnl(P("155")) == 10_000_000  # 2 * (155 - 150)
    short = Position("SOL-PERP", base=-B("2"), quote_entry=300_000_000)
    assert short.unrealised_pnl(P("155")) == -10_000_000


def test_partial_close_realises_a_share_of_the_entry() -> None:
    position = Position("SOL-PERP")
    apply_trade(position, B("3"), P("100"))  # entry flow -300
    realised, _ = apply_trade(position, -B("1"), P("110"))
    # closing 1 of 3: receives 110, releases 1/3 of -300 = -100: realised +10
    assert realised == 10_000_000
    assert position.base == B("2") and position.quote_entry == -200_000_000


def test_full_close_releases_everything() -> None:
    position = Position("SOL-PERP")
    apply_trade(position, B("1"), P("100.001"))
    apply_trade(position, B("2"), P("99.999"))
    realised, _ = apply_trade(position, -B("3"), P("101"))
    # paid 100.001 + 199.998 = 299.999 USDC; sold 3 at 101 = 303 USDC
    assert position.base == 0 and position.quote_entry == 0
    assert realised == 303_000_000 - 299_999_000


def test_flip_closes_then_opens() -> None:
    position = Position("SOL-PERP")
    apply_trade(position, B("1"), P("100"))
    realised, flow = apply_trade(position, -B("3"), P("120"))
    assert realised == 20_000_000
    assert position.base == -B("2") and position.quote_entry == 240_000_000
    assert flow == 360_000_000


def test_flows_round_against_the_trader() -> None:
    # 0.000000001 SOL at 0.5 USDC: exact flow 0.0000000005 USDC
    assert trade_flow(1, 500_000) == -1  # the buyer pays one unit
    assert trade_flow(-1, 500_000) == 0  # the seller receives nothing
