"""Position arithmetic: entry flows, realised and unrealised PnL, flips."""

from __future__ import annotations

import pytest

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


def test_short_entry_price_and_loss_on_close() -> None:
    position = Position("SOL-PERP")
    apply_trade(position, -B("4"), P("150"))  # receives 600 USDC
    assert position.quote_entry == 600_000_000 and position.entry_price() == P("150")
    realised, flow = apply_trade(position, B("1"), P("160"))
    # buys 1 back at 160 (pays 160), releases 1/4 of +600 = +150: realised -10
    assert (realised, flow) == (-10_000_000, -160_000_000)
    assert position.base == -B("3") and position.quote_entry == 450_000_000


def test_partial_close_share_rounds_against_the_trader() -> None:
    # long 3 base units for 10 quote units: closing 1 releases floor(-10 / 3) = -4
    position = Position("SOL-PERP", base=3, quote_entry=-10)
    realised, flow = apply_trade(position, -1, P("1"))
    assert flow == 0  # 1e-9 coin at 1 USDC is worth 1e-9 USDC: floor to 0
    assert realised == -4 and position.quote_entry == -6
    # realised + change of quote_entry == flow: nothing created by the split
    assert realised + (-6 - -10) == flow


def test_flat_position_has_no_entry_price() -> None:
    assert Position("SOL-PERP").entry_price() is None
    assert apply_trade(Position("SOL-PERP"), 0, P("1")) == (0, 0)


@pytest.mark.parametrize(("delta", "price"), [(B("1"), 0), (B("1"), -5), (True, P("1"))])
def test_bad_trades_are_refused_and_change_nothing(delta, price) -> None:
    position = Position("SOL-PERP", base=B("1"), quote_entry=-100)
    with pytest.raises(ValueError, match="trade"):
        apply_trade(position, delta, price)
    assert (position.base, position.quote_entry) == (B("1"), -100)
