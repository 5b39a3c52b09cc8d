"""The Portfolio panel over a store filled with wire-shaped data: balances at the oracle,
PnL by market with live unrealised PnL and a totals row, the withdrawal pre-check, the
transfer intent and its answers (a refusal at its field, the text kept), funding payments
that load more at the bottom, the equity curve and its empty state, themes and settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.domain.markets import load_default_catalog
from backend.schemas.markets import MarketSpecOut
from quantdesk_desktop import theme
from quantdesk_desktop.client.outcomes import OrderRefusal
from quantdesk_desktop.panels.portfolio import PortfolioPanel
from quantdesk_desktop.panels.portfolio.equity_curve import EMPTY_TEXT
from quantdesk_desktop.qt import QApplication, Qt
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.ui.main_window import MainWindow
from quantdesk_desktop.ui.workspace import WorkspaceStore

SOL = "SOL-PERP"
PNL = {
    "markets": [
        {"market": "BTC-PERP", "realised_pnl": "-120.5", "unrealised_pnl": "0",
         "fees_paid": "12.1", "funding": "-3.2", "net": "-135.8"},
        {"market": SOL, "realised_pnl": "20", "unrealised_pnl": "0", "fees_paid": "0.214",
         "funding": "0.5", "net": "20.286"},
    ],
    "total": {"realised_pnl": "-100.5", "unrealised_pnl": "0", "fees_paid": "12.314",
              "funding": "-2.7", "net": "-115.514"},
}  # fmt: skip


def _prices(store: MarketStore, market: str, price: str, mark: str | None = None) -> None:
    store.board.apply_prices(
        {
            "market": market,
            "type": "snapshot",
            "mark": mark or price,
            "oracle": price,
            "status": "live",
        }
    )


@pytest.fixture
def store() -> MarketStore:
    """1,000 USDC and 2 SOL of collateral, long 40 SOL-PERP at 150 (600 of initial
    margin): 1,000 + 2 x 150 x 0.8 - 600 = 640 of free collateral."""
    store = MarketStore()
    store.board.load_specs([MarketSpecOut.of(spec).model_dump() for spec in load_default_catalog()])
    for market, price in ((SOL, "150"), ("BTC-PERP", "67000"), ("ETH-PERP", "3500")):
        _prices(store, market, price)
    store.account.balances = [{"asset": "SOL", "amount": "2"}, {"asset": "USDC", "amount": "1000"}]
    store.account.risk = {"equity": "1300", "unrealised_pnl": "0", "free_collateral": "640",
                          "reserved_for_orders": "0", "collateral_initial": "1240"}  # fmt: skip
    store.account.version += 1
    store.positions.apply_positions(
        {
            "positions": [
                {
                    "market": SOL,
                    "size": "40",
                    "entry_price": "150",
                    "mark_price": "150",
                    "unrealised_pnl": "0",
                    "liquidation_price": None,
                }
            ]
        }
    )
    store.portfolio.load_pnl(PNL)
    return store


@pytest.fixture
def panel(qtbot, store: MarketStore) -> PortfolioPanel:
    panel = PortfolioPanel(store, SOL)
    qtbot.addWidget(panel)
    panel.resize(900, 640)
    # not on screen: a window taking focus upsets a dock manager an earlier test deleted
    panel.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    panel.show()
    panel.refresh()
    return panel


@pytest.fixture
def sent(panel: PortfolioPanel) -> list[tuple]:
    captured: list[tuple] = []
    panel.transfer.connect(lambda *args: captured.append(args))
    return captured


def _texts(model) -> list[list[str]]:
    return [
        [model.data(model.index(r, c)) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def _type(panel: PortfolioPanel, kind: str, asset: str, amount: str) -> None:
    panel.form.set_kind(kind)
    panel.form.asset_box.setCurrentText(asset)
    panel.form.amount_edit.clear()
    panel.form.amount_edit.textEdited.emit("")  # as the user typing does
    panel.form.amount_edit.setText(amount)
    panel.form.amount_edit.textEdited.emit(amount)


def test_balances_show_each_asset_at_its_oracle_price_and_value(panel, store) -> None:
    assert _texts(panel.balances) == [
        ["SOL", "2", "150", "300.00"],
        ["USDC", "1,000", "1", "1,000.00"],
    ]
    assert "Equity <b>1,300.00</b>" in panel.summary.text()
    _prices(store, SOL, "160")
    panel.refresh()
    assert _texts(panel.balances)[0] == ["SOL", "2", "160", "320.00"]
    assert panel.balances.changed_cells == 2  # the price and the value, nothing else
    # live, with the domain's margin code: 1,000 + 320 + 40 x 10 of unrealised PnL, and
    # 1,000 + 320 x 0.8 + 400 - 40 x 160 x 10% free
    assert panel.summary.text() == (
        "Equity <b>1,720.00</b> · Unrealised <b>400.00</b> · Free collateral <b>1,016.00</b> USDC"
    )


def test_pnl_by_market_moves_with_the_mark_and_ends_with_a_bold_total(panel, store) -> None:
    assert _texts(panel.pnl) == [
        ["BTC-PERP", "-120.50", "0.00", "12.10", "-3.20", "-135.80"],
        [SOL, "20.00", "0.00", "0.21", "0.50", "20.29"],
        ["Total", "-100.50", "0.00", "12.31", "-2.70", "-115.51"],
    ]
    _prices(store, SOL, "150", mark="151")  # the long 40 gains 40 at the mark
    panel.refresh()
    assert _texts(panel.pnl)[1:] == [
        [SOL, "20.00", "40.00", "0.21", "0.50", "60.29"],
        ["Total", "-100.50", "40.00", "12.31", "-2.70", "-75.51"],
    ]
    total = panel.pnl.index(2, 0)
    assert panel.pnl.data(total, Qt.ItemDataRole.FontRole).bold()
    assert panel.pnl.data(panel.pnl.index(1, 0), Qt.ItemDataRole.FontRole) is None
    gain = panel.pnl.data(panel.pnl.index(1, 2), Qt.ItemDataRole.ForegroundRole)
    assert gain.name() == theme.current().bid


def test_a_withdrawal_beyond_free_collateral_says_how_short_before_sending(panel) -> None:
    _type(panel, "withdraw", "USDC", "700")
    assert panel.check.refused and panel.check.short_by == 60_000_000
    assert panel.form.error_text() == (
        "Would leave initial margin short by 60.00 USDC; at most 640 USDC can be withdrawn now"
    )
    assert panel.form.amount_edit.property("error") is True  # the amount is marked
    _type(panel, "withdraw", "USDC", "1200")
    assert panel.form.error_text() == "More than the 1000 USDC held"
    _type(panel, "withdraw", "SOL", "2")
    assert panel.form.error_text() == ""
    assert panel.form.hint_text() == "≈ 300.00 USDC · leaves 400.00 USDC of free collateral"
    _type(panel, "deposit", "USDC", "700")
    assert panel.form.error_text() == "" and not panel.check.refused


def test_a_refused_withdrawal_shows_at_the_amount_and_keeps_the_text(panel, sent) -> None:
    _type(panel, "withdraw", "USDC", "600")
    assert not panel.check.refused
    assert panel.form.send_button.text() == "Withdraw 600 USDC"
    panel.form.send_button.click()
    ((kind, asset, amount, on_result),) = sent
    assert (kind, asset, amount) == ("withdraw", "USDC", "600")
    assert panel.sending and not panel.form.send_button.isEnabled()
    assert panel.form.status.text() == "Withdrawing 600 USDC…"
    assert not panel.send()  # one at a time

    message = "withdrawing that much USDC would breach initial margin; at most 590 USDC …"
    on_result(OrderRefusal("insufficient_margin", message, "amount"))
    assert panel.form.error_text() == message
    assert panel.form.amount_text() == "600" and panel.form.kind() == "withdraw"
    assert panel.form.status.text() == "Not done" and panel.form.send_button.isEnabled()
    panel.refresh()  # a frame does not wipe the refusal
    assert panel.form.error_text() == message

    _type(panel, "withdraw", "USDC", "60")  # fixing it: the old answer goes
    assert panel.refusal is None and panel.form.error_text() == ""
    assert panel.form.status.isHidden()


def test_a_refusal_about_the_asset_marks_the_asset(panel, sent) -> None:
    _type(panel, "deposit", "USDC", "5")
    panel.send()
    sent[-1][3](OrderRefusal("unknown_asset", "DOGE is not a collateral asset", "asset"))
    assert panel.form.asset_box.property("error") is True
    assert panel.form.amount_edit.property("error") is False


def test_a_deposit_that_is_done_clears_the_amount(panel, sent) -> None:
    _type(panel, "deposit", "USDC", "250")
    assert panel.send()
    sent[-1][3]([{"asset": "USDC", "amount": "1250"}])
    assert panel.form.status.text() == "Deposited 250 USDC"
    assert panel.form.amount_text() == "" and not panel.sending
    assert panel.form.send_button.text() == "Deposit" and panel.form.send_button.isEnabled()


def test_nothing_is_sent_without_an_amount(panel, sent) -> None:
    _type(panel, "deposit", "USDC", "")
    assert not panel.send() and sent == []
    assert panel.form.error_text() == "Enter an amount above zero"
    panel.store.account.version += 1
    panel.refresh()  # a frame does not wipe it
    assert panel.form.error_text() == "Enter an amount above zero"
    _type(panel, "deposit", "USDC", "1")
    assert panel.form.error_text() == ""


def test_the_window_refuses_a_transfer_when_offline(qtbot, store, tmp_path: Path) -> None:
    window = MainWindow(store, WorkspaceStore(tmp_path / "workspaces"))
    qtbot.addWidget(window)
    panel = window.add_panel("portfolio", SOL)
    assert isinstance(panel, PortfolioPanel) and window.intents is None
    _type(panel, "deposit", "USDC", "10")
    assert panel.send()
    assert panel.form.status.text() == "Not done: not connected to a backend"
    assert panel.form.amount_text() == "10" and not panel.sending


def test_funding_payments_come_newest_first_and_more_load_at_the_bottom(panel, store) -> None:
    portfolio = store.portfolio
    page = [{"id": 500 - i, "market": SOL, "position": "40", "amount": "-0.25",
             "settled_at_ms": (500 - i) * 3_600_000} for i in range(60)]  # fmt: skip
    portfolio.take_newest_funding(page, asked=60)
    panel.tabs.setCurrentIndex(1)
    panel.refresh()
    QApplication.processEvents()
    model, view = panel.funding, panel.funding_view
    assert model.rowCount() == 60
    assert _texts(model)[0][1:] == [SOL, "40", "-0.25"]
    assert [row.payment_id for row in model.rows][:3] == [500, 499, 498]
    assert not portfolio.funding_more_wanted  # the top shows: nothing asked yet
    assert panel.funding_state.text() == "60 payments · scroll down for older ones"

    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    assert portfolio.funding_more_wanted
    panel.refresh()
    assert panel.funding_state.text() == "60 payments · loading older ones…"
    assert portfolio.start_funding_load()  # what the client layer does
    older = [row | {"id": row["id"] - 60} for row in page[:10]]
    portfolio.load_funding_page(older, asked=60)
    panel.refresh()
    assert model.rowCount() == 70 and model.rows[-1].payment_id == 431
    assert model.changed_cells == 10 * len(model.columns)  # inserted, not rebuilt
    assert panel.funding_state.text() == "70 payments · all loaded"


def test_the_equity_curve_shows_text_until_there_are_points(panel, store) -> None:
    curve = panel.curve
    assert curve.is_empty() and curve.empty.text() == EMPTY_TEXT
    points = [{"time_ms": 1_790_000_000_000 + 60_000 * i, "equity": str(1_000 + i),
               "collateral_value": "1000", "unrealised_pnl": str(i)} for i in range(3)]  # fmt: skip
    store.portfolio.load_equity(points)
    panel.refresh()
    assert not curve.is_empty()
    x, y = curve.curve.getData()
    assert list(x) == [1_790_000_000 + 60 * i for i in range(3)]  # seconds on the time axis
    assert list(y) == [1_000, 1_001, 1_002]
    axis = curve.plot.getPlotItem().getAxis("bottom")
    assert type(axis).__name__ == "DateAxisItem"
    assert "1,002.00" in curve.plot.getPlotItem().titleLabel.text


def test_the_panel_follows_a_theme_switch(panel) -> None:
    try:
        theme.use("light")
        panel.refresh()
        assert panel.palette is theme.LIGHT
        assert theme.LIGHT.accent in panel.styleSheet()
        gain_colour = panel.pnl.data(panel.pnl.index(1, 1), Qt.ItemDataRole.ForegroundRole)
        assert gain_colour.name() == theme.LIGHT.bid
    finally:
        theme.use("dark")
    panel.refresh()
    assert panel.palette is theme.DARK


def test_settings_come_back(panel, store) -> None:
    panel.tabs.setCurrentIndex(1)
    panel.form.set_kind("withdraw")
    panel.form.asset_box.setCurrentText("SOL")
    saved = panel.settings()
    assert saved == {"tab": "funding", "transfer": "withdraw", "asset": "SOL"}
    other = PortfolioPanel(store, SOL)
    other.restore(saved | {"asset": "DOGE"})  # an unknown asset is ignored
    assert (other.tabs.currentIndex(), other.form.kind(), other.form.asset()) == (
        1,
        "withdraw",
        "USDC",
    )
    other.restore(saved)
    assert other.form.asset() == "SOL"
    other.deleteLater()
