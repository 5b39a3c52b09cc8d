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
    st.tuples(
        st.just("liquidate"),
        st.sampled_from(ACCOUNTS),
        st.integers(50_000, 250_000),
        st.integers(-10, 10),
    ),
)


def _ledger() -> Ledger:
    ledger = Ledger(CATALOG)
    for name in ACCOUNTS:
        ledger.deposit(name, "USDC", 1_000 * USDC)
    ledger.deposit("d", "SOL", 3 * 10**9)  # cross-collateral priced by SOL-PERP
    ledger.deposit("keeper", "USDC", 100_000 * USDC)
    ledger.insure(50 * USDC)
    return ledger


def _prices(milli: int, oracle_permille: int = 0) -> dict[str, MarketPrices]:
    """SOL-PERP at ``milli`` ticks, the oracle ``oracle_permille`` / 1000 away from it."""
    price = milli * SOL.tick_size
    return {"SOL-PERP": MarketPrices(price, price + price * oracle_permille // 1_000)}


def _shortfall(name: str, ledger: Ledger, prices) -> int:
    view = risk_view(ledger.account(name), CATALOG, prices)
    return view.maintenance_requirement - view.collateral_maintenance


@settings(max_examples=150, deadline=None)
@given(st.lists(step, max_size=40))
def test_total_value_is_conserved_through_trading_funding_and_liquidation(steps) -> None:
    ledger = _ledger()
    start = ledger.total_quote()
    reference = [_prices(150_000), _prices(90_000, 7)]
    start_values = [ledger.total_value(prices) for prices in reference]
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
            name, milli, permille = args
            prices = _prices(milli, permille)
            value = ledger.total_value(prices)
            before = _shortfall(name, ledger, prices)
            result = liquidate(ledger, name, "keeper", prices)
            if result.closed:
                # healthier (less short of maintenance), and back above it, unless flat
                assert result.flat_after or _shortfall(name, ledger, prices) < before
                assert result.flat_after or result.healthy_after
            assert ledger.total_value(prices) == value
        assert ledger.total_quote() == start
        assert [ledger.total_value(prices) for prices in reference] == start_values
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


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 5_000),
    st.sampled_from([1, -1]),
    st.integers(0, 3_000),
    st.integers(0, 20),
    st.integers(100_000, 200_000),
)
def test_liquidation_price_with_collateral_priced_by_the_market(
    lots, sign, usdc, sol_tenths, milli
) -> None:
    ledger = _ledger()
    if usdc:
        ledger.deposit("x", "USDC", usdc * USDC)
    if sol_tenths:
        ledger.deposit("x", "SOL", sol_tenths * 10**8)
    size, price = lots * SOL.lot_size, milli * SOL.tick_size
    side = Side.BUY if sign > 0 else Side.SELL
    ledger.apply_fill(Fill("SOL-PERP", price, size, side, 1, 2, "keeper", "x"))
    account = ledger.account("x")
    liq = liquidation_price(account, CATALOG, _prices(milli), "SOL-PERP")
    if liq is None:
        return
    at = risk_view(account, CATALOG, {"SOL-PERP": MarketPrices(liq, liq)})
    # the exact solution, rounded to be early by less than one price unit's worth of
    # collateral; the floors and ceilings of the figures themselves add a few units
    slack = abs(size) // 10**9 * 2 + sol_tenths + 2
    assert -4 <= at.collateral_maintenance - at.maintenance_requirement <= slack
    # one price unit further, the account is liquidatable
    # collateral rises with the price for a long, and for a short whose SOL collateral
    # (weight 0.9) outweighs the short (1 + 5% requirement)
    rising = sign > 0 or sol_tenths * 10**8 * 900_000 > size * 1_050_000
    past = liq - 1 if rising else liq + 1
    if past > 0:
        view = risk_view(account, CATALOG, {"SOL-PERP": MarketPrices(past, past)})
        assert view.liquidatable
