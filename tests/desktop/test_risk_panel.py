"""The Risk panel over a store holding `GET /api/risk` answers (built from the wire models):
it waits visibly for the first figures, then shows the gauge, the margin figures, the
collateral breakdown and each position's liquidation distance and funding; it repaints
only when the account or the alerts moved; and, against the embedded backend, it shows
the real account's figures."""

from __future__ import annotations

import time

import pytest

from backend.domain.fixed_point import QUOTE_PRECISION, parse_price, parse_quote
from backend.domain.markets import load_default_catalog
from backend.schemas.markets import MarketSpecOut
from backend.schemas.risk import CollateralRiskOut, PositionRiskOut, RiskOut
from quantdesk_desktop import theme
from quantdesk_desktop.panels.registry import PANEL_TYPES
from quantdesk_desktop.panels.risk import RiskPanel
from quantdesk_desktop.panels.risk.panel import WAITING
from quantdesk_desktop.qt import Qt
from quantdesk_desktop.state.alerts import Level
from quantdesk_desktop.state.store import MarketStore
from tests.desktop.live_backend import until

NEXT_FUNDING_MS = 1_790_002_800_000


def _position(**fields) -> PositionRiskOut:
    row = {"market": "SOL-PERP", "liquidation_price": "44.31416", "distance": "0.706528",
           "size": "10", "mark_price": "151", "funding_rate_estimate": "0.000277777",
           "funding_due": "-0.416666", "next_funding_ms": NEXT_FUNDING_MS}  # fmt: skip
    return PositionRiskOut(**(row | fields))


def _risk(**fields) -> dict:
    """A `RiskOut` as the server sends it: long 10 SOL at 150 marked at 151, with 999.25
    USDC and 2 SOL of collateral (the numbers of tests/gateway/test_risk_routes.py)."""
    usdc = CollateralRiskOut(asset="USDC", balance="999.25", price="1", initial_weight="1",
                             maintenance_weight="1", value="999.25", weighted_initial="999.25",
                             weighted_maintenance="999.25")  # fmt: skip
    sol = CollateralRiskOut(asset="SOL", balance="2", price="150", initial_weight="0.8",
                            maintenance_weight="0.9", value="300", weighted_initial="240",
                            weighted_maintenance="270")  # fmt: skip
    answer = {"health": "0.940981", "collateral_initial": "1249.25",
              "collateral_maintenance": "1279.25", "unrealised_pnl": "10",
              "initial_requirement": "151", "maintenance_requirement": "75.5",
              "reserved_for_orders": "0", "free_collateral": "1098.25", "equity": "1309.25",
              "leverage": "1.153332", "liquidatable": False, "positions": [_position()],
              "insurance_fund": "12.5", "margin_ratio": "0.059019", "notional": "1510",
              "collateral": [usdc, sol], "funding_due": "-0.416666",
              "funding_paid": "0.416666"}  # fmt: skip
    return RiskOut(**(answer | fields)).model_dump(mode="json")


@pytest.fixture
def store() -> MarketStore:
    return MarketStore()


@pytest.fixture
def panel(qtbot, store: MarketStore) -> RiskPanel:
    panel = RiskPanel(store, "SOL-PERP")
    # the specs arrive after the panel opened (a workspace opens before signing in)
    store.board.load_specs([MarketSpecOut.of(spec).model_dump() for spec in load_default_catalog()])
    qtbot.addWidget(panel)
    panel.resize(760, 620)
    panel.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    panel.show()
    return panel


def _answer(store: MarketStore, risk: dict) -> None:
    """What the client layer does with a risk answer."""
    store.account.risk = risk
    store.account.health = risk["health"]
    store.account.version += 1
    store.alerts.observe_health(risk["health"], 0)


def _cells(model) -> list[list[str]]:
    return [
        [model.data(model.index(r, c)) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_the_panel_is_registered_as_risk() -> None:
    assert PANEL_TYPES["risk"] is RiskPanel and RiskPanel.title == "Risk"


def test_it_waits_visibly_for_the_first_figures_rather_than_showing_zeros(
    panel: RiskPanel, store: MarketStore
) -> None:
    panel.refresh()
    assert panel.pages.currentWidget() is panel.waiting and panel.waiting.text() == WAITING
    assert panel.gauge.text() == "—" and panel.figures is None
    _answer(store, _risk())
    panel.refresh()
    assert panel.pages.currentIndex() == 1 and panel.gauge.text() == "94.0 %"


def test_it_shows_the_margin_figures_of_a_risk_answer(panel: RiskPanel, store: MarketStore) -> None:
    _answer(store, _risk())
    panel.refresh()
    shown = {name: label.text() for name, label in panel.values.items()}
    assert shown == {
        "margin_ratio": "5.90%",
        "equity": "1,309.25",
        "free_collateral": "1,098.25",
        "leverage": "1.15×",
        "initial_requirement": "151.00",
        "maintenance_requirement": "75.50",
        "collateral_initial": "1,249.25",
        "collateral_maintenance": "1,279.25",
        "unrealised_pnl": "10.00",
        "reserved_for_orders": "0.00",
        "funding_due": "-0.416666",
        "funding_paid": "0.416666",
    }
    assert panel.values["funding_due"].styleSheet() == f"color: {theme.current().ask}"
    assert panel.gauge.level is Level.OK and panel.gauge.caption == "Health"
    assert panel.status.text() == "Healthy · health 94.0 % · all figures in USDC"
    assert panel.collateral_sum.text() == (
        "Initial collateral 1,249.25 = weighted 1,239.25 + unrealised PnL 10.00 USDC"
    )


def test_the_collateral_breakdown_shows_each_asset(panel: RiskPanel, store: MarketStore) -> None:
    _answer(store, _risk())
    panel.refresh()
    model = panel.collateral
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles == ["Asset", "Balance", "Price", "Init. weight", "Maint. weight", "Value",
                      "Weighted (init.)", "Weighted (maint.)"]  # fmt: skip
    assert _cells(model) == [
        ["USDC", "999.25", "1.00", "100 %", "100 %", "999.25", "999.25", "999.25"],
        ["SOL", "2", "150.00", "80 %", "90 %", "300.00", "240.00", "270.00"],
    ]
    rich = CollateralRiskOut(asset="BTC", balance="12345.12345678", price="67000.5",
                             initial_weight="0.925", maintenance_weight="0.95",
                             value="827134720.61", weighted_initial="765099616.56",
                             weighted_maintenance="785777984.58")  # fmt: skip
    _answer(store, _risk(collateral=[rich.model_dump(mode="json")]))
    panel.refresh()
    assert _cells(model) == [["BTC", "12,345.12345678", "67000.50", "92.5 %", "95 %",
                              "827,134,720.61", "765,099,616.56", "785,777,984.58"]]  # fmt: skip


def test_each_position_shows_its_liquidation_distance_and_funding(
    panel: RiskPanel, store: MarketStore
) -> None:
    short = _position(market="BTC-PERP", size="-0.25", mark_price="67000", distance="0.05",
                      liquidation_price="70350.5", funding_due="1.675")  # fmt: skip
    far = _position(market="ETH-PERP", size="2", mark_price="3500", liquidation_price=None,
                    distance=None, funding_rate_estimate=None, funding_due=None,
                    next_funding_ms=None)  # fmt: skip
    _answer(store, _risk(positions=[_position(), short, far]))
    panel.refresh()
    model = panel.positions
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles == ["Market", "Size", "Mark", "Liq. price", "Distance", "Funding due",
                      "Next funding"]  # fmt: skip
    at = time.strftime("%H:%M:%S", time.localtime(NEXT_FUNDING_MS / 1000))
    assert _cells(model) == [
        ["SOL-PERP", "+10.00", "151.000", "44.31416", "70.65%", "-0.416666", at],
        ["BTC-PERP", "-0.2500", "67000.0", "70350.5", "5.00%", "1.675", at],
        ["ETH-PERP", "+2.000", "3500.00", "–", "none", "–", "–"],
    ]
    palette = theme.current()
    distance = model.index(1, 4)
    assert model.data(distance, Qt.ItemDataRole.ForegroundRole).name() == palette.danger
    assert model.data(model.index(0, 5), Qt.ItemDataRole.ForegroundRole).name() == palette.ask
    assert model.data(model.index(1, 5), Qt.ItemDataRole.ForegroundRole).name() == palette.bid
    assert panel.no_positions.isHidden() and not panel.positions_view.isHidden()

    _answer(store, _risk(positions=[]))
    panel.refresh()
    assert model.rowCount() == 0 and not panel.no_positions.isHidden()


def test_it_repaints_only_when_the_account_or_the_alerts_moved(
    panel: RiskPanel, store: MarketStore
) -> None:
    _answer(store, _risk())
    panel.refresh()
    store.account.risk = _risk(equity="1")  # changed, but no new version yet
    store.board.version += 1  # prices moving do not repaint the panel
    panel.refresh()
    assert panel.values["equity"].text() == "1,309.25"
    store.account.version += 1
    panel.refresh()
    assert panel.values["equity"].text() == "1.00"
    # a new mark moves only the cells it changes
    moved = _position(mark_price="151.5", distance="0.707495")
    _answer(store, _risk(equity="1", positions=[moved]))
    panel.refresh()
    assert panel.positions.changed_cells == 2
    before = panel.alert_line.isHidden()
    store.alerts.apply({"type": "margin_call", "market": "SOL-PERP", "health": "0.1"}, 0)
    panel.refresh()
    assert before and not panel.alert_line.isHidden()
    assert "Margin call: SOL-PERP: health 10.0 %" in panel.alert_line.text()


def test_the_gauge_takes_the_colour_of_the_health_band(
    panel: RiskPanel, store: MarketStore
) -> None:
    for health, level, caption in (
        ("0.940981", Level.OK, "Health"),
        ("0.25", Level.WARNING, "Health"),
        ("0.1", Level.DANGER, "Health"),
    ):
        _answer(store, _risk(health=health))
        panel.refresh()
        assert (panel.gauge.level, panel.gauge.caption) == (level, caption), health
    _answer(store, _risk(health="0", liquidatable=True))
    panel.refresh()
    assert panel.gauge.caption == "Liquidatable" and panel.gauge.text() == "0.0 %"
    assert panel.status.text().startswith("Below maintenance margin")
    store.alerts.configure(500_000, 400_000)
    _answer(store, _risk(health="0.45"))
    panel.refresh()
    assert panel.gauge.level is Level.WARNING  # the configured thresholds


def test_the_sound_switch_mutes_the_alerts(panel: RiskPanel, store: MarketStore) -> None:
    _answer(store, _risk())
    panel.refresh()
    assert panel.sound.isChecked()
    panel.sound.click()
    assert store.alerts.sound is False
    store.alerts.set_sound(True)  # from elsewhere: the switch follows
    panel.refresh()
    assert panel.sound.isChecked()


def test_it_paints_in_both_themes(panel: RiskPanel, store: MarketStore) -> None:
    _answer(store, _risk(health="0.25"))
    try:
        for name in ("light", "dark"):
            theme.use(name)
            panel.refresh()
            image = panel.grab().toImage()
            assert not image.isNull()
            gauge = panel.gauge.grab().toImage()
            colours = {
                gauge.pixelColor(x, y).name()
                for x in range(0, gauge.width(), 2)
                for y in range(0, gauge.height(), 2)
            }
            assert theme.current().warning in colours  # the arc in the warning colour
    finally:
        theme.use("dark")


async def test_it_shows_the_real_accounts_figures(client, qtbot) -> None:
    store = client.store
    panel = RiskPanel(store, "SOL-PERP")
    qtbot.addWidget(panel)
    panel.refresh()
    assert panel.pages.currentWidget() is panel.waiting
    await until(lambda: store.account.risk.get("health") is not None, "the first risk figures")
    await until(lambda: client.stream.connected, "the socket online")
    outcomes: list[object] = []
    client.submit({"market": "SOL-PERP", "side": "buy", "type": "market", "size": "2"},
                  outcomes.append)  # fmt: skip
    await until(lambda: outcomes, "the order's answer")
    assert isinstance(outcomes[0], dict) and outcomes[0]["status"] == "filled", outcomes
    await until(lambda: store.account.risk.get("positions"), "the position in the risk figures")
    panel.refresh()
    risk = store.account.risk
    assert panel.pages.currentIndex() == 1
    (row,) = _cells(panel.positions)
    assert row[:2] == ["SOL-PERP", "+2.00"]
    position = risk["positions"][0]
    assert parse_price(row[2]) == parse_price(position["mark_price"])
    # 2 SOL against 100,000 USDC of demo collateral: no positive price liquidates it
    assert position["liquidation_price"] is None and row[3:5] == ["–", "none"]
    assert position["next_funding_ms"] is not None
    if position["funding_due"] is not None:  # None until the period has a price sample
        assert parse_quote(row[5]) == parse_quote(position["funding_due"])
    assert parse_quote(panel.values["equity"].text().replace(",", "")) == _cents(risk["equity"])
    assert [cells[0] for cells in _cells(panel.collateral)] == [
        c["asset"] for c in risk["collateral"]
    ]
    balance = _cells(panel.collateral)[0][1]
    assert parse_quote(balance.replace(",", "")) == parse_quote(risk["collateral"][0]["balance"])
    assert panel.gauge.health == store.alerts.health  # the session fed the alerts too
    assert panel.values["maintenance_requirement"].text() != "0.00"
    assert panel.status.text().startswith("Healthy")


def _cents(text: str) -> int:
    """A USDC amount rounded half away from zero to the cent, as the panel shows it."""
    value = parse_quote(text)
    step = QUOTE_PRECISION // 100
    rounded = (abs(value) + step // 2) // step * step
    return rounded if value >= 0 else -rounded
