"""Property tests: value is conserved, funding is zero-sum, liquidation helps."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.domain.fills import Fill, fee_for
from backend.domain.fixed_point import quote_value_floor
from backend.domain.funding import index_delta
from backend.domain.ledger import Ledger
from backend.domain.liquidation import liquidate
from backend.domain.margin import MarketPrices, liquidation_price, risk_view
from backend.domain.markets import load_default_catalog
from backend.domain.orders import Side

CATALOG = load_default_catalog()
SOL = CATALOG.market("SOL-PERP")
ACCOUNTS = ["a", "b", "c", "d"]
USDC = 1_000_000

trade = st.tuples(
    st.sampled_from(ACCOUNTS),
    st.sampled_from(ACCOUNTS),
    st.sampled_from([Side.BUY, Side.SELL]),
    st.integers(1, 2_000),
    st.integers(100_000, 200_000),
)
step = st.one_of(
    st.tuples(st.just("fill"), trade),
    st.tuples(st.just("funding"), st.integers(-7_500_000, 7_500_000)),
    st.tuples(st.just("liquidate"), st.sampled_from(ACCOUNTS), st.integers(50_000, 250_000)),
)


def _ledger() -> Ledger:
    ledger = Ledger(CATALOG)
    for name in ACCOUNTS:
        ledger.deposit(name, "USDC", 1_000 * USDC)
    ledger.deposit("keeper", "USDC", 100_000 * USDC)
    ledger.insure(50 * USDC)
    return ledger


def _prices(milli: int) -> dict[str, MarketPrices]:
    price = milli * SOL.tick_size
    return {"SOL-PERP": MarketPrices(price, price)}


@settings(max_examples=150, deadline=None)
@given(st.lists(step, max_size=40))
def test_total_value_is_conserved_through_trading_funding_and_liquidation(steps) -> None:
    ledger = _ledger()
    start = ledger.total_quote()
    for kind, *args in steps:
        if kind == "fill":
            ((taker, maker, side, lots, milli),) = args
            if taker == maker:
                continue
            size, price = lots * SOL.lot_size, milli * SOL.tick_size
            notional = quote_value_floor(price, size)
            ledger.apply_fill(
                Fill(
                    "SOL-PERP",
                    price,
                    size,
                    side,
                    1,
                    2,
                    maker,
                    taker,
                    fee_for(notional, SOL.maker_fee),
                    fee_for(notional, SOL.taker_fee),
                )
            )
        elif kind == "funding":
            before = ledger.insurance_fund
            payments = ledger.settle_funding("SOL-PERP", index_delta(args[0], 150 * USDC))
            # zero-sum: what accounts gained and lost plus the dust to the fund is nothing
            assert sum(payments.values()) + (ledger.insurance_fund - before) == 0
        else:
            name, milli = args
            prices = _prices(milli)
            before = risk_view(ledger.account(name), CATALOG, prices)
            result = liquidate(ledger, name, "keeper", prices)
            after = risk_view(ledger.account(name), CATALOG, prices)
            if result.closed:
                assert result.flat_after or after.health >= before.health
                assert result.flat_after or result.healthy_after
        assert ledger.total_quote() == start
        assert ledger.total_base("SOL-PERP") == 0
        assert ledger.insurance_fund >= 0


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 5_000),
    st.sampled_from([1, -1]),
    st.integers(100, 5_000),
    st.integers(100_000, 200_000),
)
def test_liquidation_price_is_where_maintenance_is_reached(lots, sign, usdc, milli) -> None:
    ledger = _ledger()
    ledger.deposit("x", "USDC", usdc * USDC)
    size, price = lots * SOL.lot_size, milli * SOL.tick_size
    side = Side.BUY if sign > 0 else Side.SELL
    ledger.apply_fill(Fill("SOL-PERP", price, size, side, 1, 2, "keeper", "x"))
    account = ledger.account("x")
    liq = liquidation_price(account, CATALOG, _prices(milli), "SOL-PERP")
    if liq is None:
        return
    at = risk_view(account, CATALOG, {"SOL-PERP": MarketPrices(liq, liq)})
    assert at.collateral_maintenance >= at.maintenance_requirement - 1
    beyond = liq - sign * max(1, liq // 1_000)
    if beyond > 0:
        past = risk_view(account, CATALOG, {"SOL-PERP": MarketPrices(beyond, beyond)})
        assert past.liquidatable
