"""The Portfolio panel against the embedded backend, wired by the main window to the
session: a deposit through the panel's intent shows the new balance; a withdrawal that
would breach initial margin is refused at the amount field with the form kept and
nothing moved; after a round trip the market's realised PnL is what the fills realised."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.domain.fixed_point import QUOTE_PRECISION, format_fixed, parse_quote
from quantdesk_desktop.client.outcomes import OrderRefusal
from quantdesk_desktop.panels.portfolio import PortfolioPanel
from quantdesk_desktop.panels.ticket.amounts import usdc as _text
from quantdesk_desktop.qt import Qt
from quantdesk_desktop.ui.main_window import MainWindow
from quantdesk_desktop.ui.workspace import WorkspaceStore
from tests.desktop.live_backend import qt_until, until

MARKET = "SOL-PERP"


def _usdc(client) -> int:
    row = next(b for b in client.store.account.balances if b["asset"] == "USDC")
    return parse_quote(row["amount"])


def _balance_text(panel: PortfolioPanel, asset: str) -> str | None:
    model = panel.balances
    for r in range(model.rowCount()):
        if model.data(model.index(r, 0)) == asset:
            return model.data(model.index(r, 1)).replace(",", "")  # thousands grouped
    return None


def _type(panel: PortfolioPanel, kind: str, amount: str) -> None:
    panel.form.set_kind(kind)
    panel.form.asset_box.setCurrentText("USDC")
    panel.form.amount_edit.setText(amount)
    panel.form.amount_edit.textEdited.emit(amount)


async def _market(client, side: str, size: str) -> dict:
    answers: list[object] = []
    client.submit({"market": MARKET, "side": side, "type": "market", "size": size}, answers.append)
    await until(lambda: answers, f"the {side} answered")
    (answer,) = answers
    assert isinstance(answer, dict) and answer["status"] == "filled", answer
    return answer


async def test_deposit_refused_withdrawal_and_realised_pnl_through_the_panel(
    client, qtbot, tmp_path: Path
) -> None:
    store = client.store
    window = MainWindow(store, WorkspaceStore(tmp_path / "workspaces"))
    qtbot.addWidget(window)
    window.intents = client
    panel = window.add_panel("portfolio", MARKET)
    assert isinstance(panel, PortfolioPanel)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    window.show()
    await until(lambda: client.stream.connected, "the socket online")
    await until(lambda: store.board.prices[MARKET].oracle, "a price")
    await qt_until(lambda: _balance_text(panel, "USDC"), "the demo balance in the panel")

    # a deposit through the panel's intent: the new balance shows
    before = _usdc(client)
    _type(panel, "deposit", "1234.5")
    assert panel.send()
    await qt_until(lambda: panel.form.status.text() == "Deposited 1234.5 USDC", "the deposit")
    after = before + 1_234_500_000
    assert _usdc(client) == after
    await qt_until(lambda: _balance_text(panel, "USDC") == format_fixed(after, QUOTE_PRECISION),
                   "the new balance in the table")  # fmt: skip
    await qt_until(lambda: not panel.curve.is_empty(), "equity points on the curve")

    # a position holds initial margin: withdrawing the whole balance breaches it
    await _market(client, "buy", "10")
    await until(lambda: MARKET in store.positions.positions, "the position")
    await qt_until(lambda: _usdc(client) < after, "the fee paid")
    held = _usdc(client)
    everything = format_fixed(held, QUOTE_PRECISION)
    _type(panel, "withdraw", everything)
    await qt_until(lambda: panel.check.refused, "the pre-check")
    assert panel.form.error_text().startswith("Would leave initial margin short by ")
    assert panel.send()  # the server decides
    await qt_until(lambda: panel.refusal is not None, "the refusal")
    assert (panel.refusal.code, panel.refusal.field) == ("insufficient_margin", "amount")
    assert panel.form.error_text() == panel.refusal.message
    assert panel.refusal.message.startswith("withdrawing that much USDC would breach initial")
    assert panel.form.amount_text() == everything and panel.form.kind() == "withdraw"
    assert panel.form.status.text() == "Not done"
    assert _usdc(client) == held  # nothing moved

    # closing the position: its market's realised PnL is what the fills realised
    await _market(client, "sell", "10")
    await until(lambda: MARKET not in store.positions.positions, "the position closed")
    await until(lambda: len(store.positions.fills_in(MARKET)) >= 2, "the fills")
    # what each of the account's fills realised, as `GET /api/trades` states it row by row
    trades = (await client.rest.http.get("/api/trades")).json()["trades"]
    assert {t["market"] for t in trades} == {MARKET}
    realised = sum(parse_quote(t["realised_pnl"]) for t in trades)
    fees = sum(parse_quote(t["fee"]) for t in trades)
    assert fees > 0 and fees == sum(fill.fee for fill in store.positions.fills_in(MARKET))
    assert [parse_quote(t["realised_pnl"]) for t in trades if t["side"] == "buy"] == [0]

    def shown() -> list[str] | None:
        rows = panel.pnl.rows
        return next(
            (
                [panel.pnl.data(panel.pnl.index(r, c)) for c in range(panel.pnl.columnCount())]
                for r, row in enumerate(rows)
                if row.market == MARKET
            ),
            None,
        )

    def reloaded() -> bool:
        row = next((r for r in store.portfolio.markets if r.market == MARKET), None)
        return row is not None and row.fees == fees and row.realised == realised

    await qt_until(reloaded, "the market's PnL reloaded after the fills")
    row = next(r for r in store.portfolio.markets if r.market == MARKET)
    assert row.unrealised == 0 and row.net == realised - fees + row.funding
    await qt_until(lambda: shown() is not None and shown()[1] == _text(realised), "the row")
    assert shown()[3] == _text(fees)
    total = panel.pnl.rows[-1]
    assert total.market is None and total.realised == realised


async def test_the_session_loads_the_portfolio_and_answers_bad_transfers(client, backend) -> None:
    store = client.store
    portfolio = store.portfolio
    await until(lambda: portfolio.funding_version, "the first load (PnL, equity, funding)")
    assert portfolio.markets == [] and portfolio.total is not None and portfolio.total.net == 0
    assert portfolio.funding == [] and portfolio.funding_complete  # none yet: one short page
    await until(lambda: portfolio.equity, "the sign-in deposit's equity point")
    assert portfolio.equity[-1].equity == _usdc(client)

    answers: list[object] = []
    client.transfer("deposit", "DOGE", "1", answers.append)
    client.transfer("withdraw", "USDC", "abc", answers.append)
    await until(lambda: len(answers) == 2, "both answers")
    refusals = sorted(answers, key=lambda a: a.code)  # either may come first
    assert [(r.code, r.field) for r in refusals] == [
        ("invalid_amount", "amount"),
        ("unknown_asset", "asset"),
    ]
    with pytest.raises(ValueError, match="unknown transfer"):
        client.transfer("sideways", "USDC", "1", answers.append)

    balance = _usdc(client)
    backend.stop()  # the server goes away: the answer says nothing is known to have moved
    client.transfer("deposit", "USDC", "1", answers.append)
    await until(lambda: len(answers) == 3, "the offline answer")
    offline = answers[-1]
    assert isinstance(offline, OrderRefusal) and offline.code == "offline"
    assert offline.field is None and "check the balances" in offline.message
    assert _usdc(client) == balance
