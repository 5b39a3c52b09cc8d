"""The portfolio state from wire-shaped answers: PnL rows and totals, the equity curve
(whole, then only newer points), funding payments newest first with older pages at the
bottom, each once, and the page flags the client layer and the panel go by."""

from __future__ import annotations

from quantdesk_desktop.state.portfolio import (
    EquityPoint,
    FundingPaymentRow,
    PnlRow,
    PortfolioState,
)

PNL = {
    "markets": [
        {"market": "BTC-PERP", "realised_pnl": "-120.5", "unrealised_pnl": "0",
         "fees_paid": "12.1", "funding": "-3.2", "net": "-135.8"},
        {"market": "SOL-PERP", "realised_pnl": "20", "unrealised_pnl": "9.2",
         "fees_paid": "0.214", "funding": "0.5", "net": "29.486"},
    ],
    "total": {"realised_pnl": "-100.5", "unrealised_pnl": "9.2", "fees_paid": "12.314",
              "funding": "-2.7", "net": "-106.314"},
}  # fmt: skip


def _point(minute: int, equity: str) -> dict:
    return {
        "time_ms": 60_000 * minute,
        "equity": equity,
        "collateral_value": "1000",
        "unrealised_pnl": "0",
    }


def _payment(payment_id: int, amount: str = "-0.5") -> dict:
    return {
        "id": payment_id,
        "market": "SOL-PERP",
        "position": "2.5",
        "amount": amount,
        "settled_at_ms": payment_id * 1_000,
    }


def test_pnl_rows_and_totals_are_read_in_quote_units() -> None:
    state = PortfolioState()
    state.load_pnl(PNL)
    assert state.markets == [
        PnlRow("BTC-PERP", -120_500_000, 0, 12_100_000, -3_200_000, -135_800_000),
        PnlRow("SOL-PERP", 20_000_000, 9_200_000, 214_000, 500_000, 29_486_000),
    ]
    assert state.total == PnlRow(None, -100_500_000, 9_200_000, 12_314_000, -2_700_000,
                                 -106_314_000)  # fmt: skip
    assert state.pnl_version == 1 and state.error == ""
    state.load_failed("unreachable")
    assert state.error == "unreachable" and state.total is not None  # the last figures stay


def test_the_equity_curve_takes_only_points_newer_than_it_holds() -> None:
    state = PortfolioState()
    assert state.newest_equity_ms is None
    state.load_equity([_point(0, "1000"), _point(1, "1001.5")])
    assert state.equity == [
        EquityPoint(0, 1_000_000_000, 1_000_000_000, 0),
        EquityPoint(60_000, 1_001_500_000, 1_000_000_000, 0),
    ]
    state.load_equity([_point(1, "999"), _point(2, "1002")])  # minute 1 again: not twice
    assert [p.time_ms for p in state.equity] == [0, 60_000, 120_000]
    assert state.newest_equity_ms == 120_000 and state.equity_version == 2
    state.load_equity([_point(5, "7")], replace=True)
    assert [p.equity for p in state.equity] == [7_000_000]


def test_funding_payments_newest_on_top_older_pages_below_each_once() -> None:
    state = PortfolioState()
    state.take_newest_funding([_payment(i) for i in (9, 8, 7)], asked=3)
    assert [p.payment_id for p in state.funding] == [9, 8, 7]
    assert not state.funding_complete and state.oldest_funding_id == 7
    assert state.funding[0] == FundingPaymentRow(9, "SOL-PERP", 2_500_000_000, -500_000, 9_000)

    state.ask_more_funding()
    assert state.funding_more_wanted
    state.ask_more_funding()  # asked twice: one page
    assert state.start_funding_load() and not state.funding_more_wanted
    assert not state.start_funding_load()  # one at a time
    state.ask_more_funding()
    assert not state.funding_more_wanted  # nothing asked while a page loads
    state.load_funding_page([_payment(i) for i in (6, 5, 4)], asked=3)
    assert [p.payment_id for p in state.funding] == [9, 8, 7, 6, 5, 4]
    assert not state.funding_complete

    state.take_newest_funding([_payment(i) for i in (11, 10, 9)], asked=3)  # two new ones
    assert [p.payment_id for p in state.funding][:4] == [11, 10, 9, 8]
    assert len(state.funding) == 8

    state.start_funding_load()
    state.load_funding_page([_payment(3)], asked=3)  # a short page: the last
    assert state.funding_complete and state.funding[-1].payment_id == 3
    before = state.funding_version
    state.ask_more_funding()
    assert not state.funding_more_wanted and state.funding_version == before
    assert not state.start_funding_load()


def test_a_first_page_shorter_than_asked_means_all_are_loaded() -> None:
    state = PortfolioState()
    state.take_newest_funding([], asked=200)
    assert state.funding_complete and state.funding == [] and state.funding_version == 1
    failed = PortfolioState()
    failed.take_newest_funding([_payment(2), _payment(1)], asked=2)
    assert failed.start_funding_load()
    failed.funding_failed("timed out")
    assert not failed.funding_loading and failed.funding_error == "timed out"
    assert failed.start_funding_load()  # asking again retries
