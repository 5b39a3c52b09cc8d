"""The Portfolio panel's deposit and withdraw against a backend that settles on Solana:
the real session asks `/api/chain/transfers`, the wallet's approval dialog shows what is
signed, Sign sends it (`/api/chain/transfers/submit`) and the panel shows the result, on
chain and in the balances; Refuse sends nothing and says so; a refusal by the backend
shows at the field, with no dialog. The backend is a solana-mode gateway served on
loopback over the local test cluster, where the QuantDesk program runs natively."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend.domain.markets import MarketCatalog
from backend.store.database import create_engine_for
from backend.store.migrate import upgrade_to_head
from quantdesk_desktop.client.session import WorkstationClient
from quantdesk_desktop.client.wallet import Wallet, load_wallet
from quantdesk_desktop.panels.portfolio import PortfolioPanel
from quantdesk_desktop.panels.wallet.approval_dialog import DialogApprover
from quantdesk_desktop.qt import Qt
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.ui.main_window import MainWindow
from quantdesk_desktop.ui.workspace import WorkspaceStore
from quantdesk_desktop.wallet.gate import SigningGate
from tests.desktop.live_backend import qt_until, until
from tests.desktop.wallet.approving import answer, shown
from tests.gateway.chain_cluster import SOL_LAMPORTS, ChainGateway, chain_stack
from tests.loopback_server import LoopbackServer
from tests.solana_rpc.native_program import NativeProgram, native_program

USDC = 10**6


@pytest.fixture(scope="module", autouse=True)
def native_library() -> NativeProgram:
    """The program's native runtime, built before any node answers."""
    return native_program()


@dataclass
class Desk:
    """The workstation's session and Portfolio panel, and the chain behind the backend."""

    client: WorkstationClient
    panel: PortfolioPanel
    approver: DialogApprover
    wallet: Wallet
    stack: ChainGateway

    async def wallet_usdc(self) -> int:
        return await self.stack.exchange.tokens(self.wallet.keypair.pubkey(), "USDC")

    async def on_chain(self) -> int:
        user = await self.stack.exchange.user(self.wallet.keypair.pubkey())
        return 0 if user is None else user.collateral[0]

    def balance(self) -> str | None:
        model = self.panel.balances
        for r in range(model.rowCount()):
            if model.data(model.index(r, 0)) == "USDC":
                return model.data(model.index(r, 1)).replace(",", "")
        return None

    def type(self, kind: str, amount: str) -> None:
        form = self.panel.form
        form.set_kind(kind)
        form.asset_box.setCurrentText("USDC")
        form.amount_edit.setText(amount)
        form.amount_edit.textEdited.emit(amount)


@pytest.fixture
async def desk(qtbot, tmp_path: Path, catalog: MarketCatalog) -> AsyncIterator[Desk]:
    url = f"sqlite:///{tmp_path / 'backend.db'}"
    upgrade_to_head(url)
    engine = create_engine_for(url)
    approver = DialogApprover()
    wallet = load_wallet("test", tmp_path, SigningGate(approver))
    async with chain_stack(catalog, engine) as stack, LoopbackServer(stack.app) as server:
        key = wallet.keypair.pubkey()
        await stack.exchange.fund(key, SOL_LAMPORTS)
        await stack.exchange.give(key, "USDC", 1_000 * USDC)
        wallet.gate.trust(server.url)  # sign in without a dialog, as to the own backend
        client = WorkstationClient(MarketStore(), server.url, wallet)
        await client.start()
        window = MainWindow(client.store, WorkspaceStore(tmp_path / "workspaces"))
        qtbot.addWidget(window)
        window.intents = client
        panel = window.add_panel("portfolio", "SOL-PERP")
        assert isinstance(panel, PortfolioPanel)
        window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        window.show()
        await until(lambda: client.stream.connected, "the socket online")
        try:
            yield Desk(client, panel, approver, wallet, stack)
        finally:
            await client.stop()
    engine.dispose()


async def test_a_deposit_and_a_withdrawal_are_signed_in_the_wallet_and_settled_on_chain(
    qtbot, desk: Desk
) -> None:
    desk.type("deposit", "250")
    assert desk.panel.send()

    dialog = await shown(desk.approver)
    assert dialog.request.summary == "Deposit 250 USDC"
    assert f"Fee payer: {desk.wallet.pubkey} (this wallet)" in dialog.text_view.toPlainText()
    assert await desk.wallet_usdc() == 1_000 * USDC  # nothing moves while the user reads
    answer(qtbot, dialog, sign=True)
    await qt_until(lambda: desk.panel.form.status.text() == "Deposited 250 USDC", "deposit")

    assert desk.client.chain.settlement == "solana"
    assert await desk.on_chain() == 250 * USDC
    assert await desk.wallet_usdc() == 750 * USDC
    await qt_until(lambda: desk.balance() == "250", "the balance in the panel")

    desk.type("withdraw", "50.5")
    assert desk.panel.send()
    dialog = await shown(desk.approver)
    assert dialog.request.summary == "Withdraw 50.5 USDC"
    answer(qtbot, dialog, sign=True)
    await qt_until(lambda: desk.panel.form.status.text() == "Withdrew 50.5 USDC", "withdrawal")

    assert await desk.on_chain() == 199_500_000
    assert await desk.wallet_usdc() == 800_500_000
    await qt_until(lambda: desk.balance() == "199.5", "the balance after")
    entries = desk.wallet.gate.signed.entries
    assert [e.summary for e in entries[-2:]] == ["Deposit 250 USDC", "Withdraw 50.5 USDC"]


async def test_refusing_in_the_dialog_sends_nothing_and_says_so(qtbot, desk: Desk) -> None:
    sends = len(desk.stack.cluster.sends)
    desk.type("deposit", "100")
    assert desk.panel.send()

    answer(qtbot, await shown(desk.approver), sign=False)
    await qt_until(lambda: desk.panel.refusal is not None, "the refusal")

    refusal = desk.panel.refusal
    assert refusal is not None and refusal.code == "not_signed"
    assert "you refused to sign" in refusal.message and "nothing was sent" in refusal.message
    assert desk.panel.form.status.text() == f"Not done: {refusal.message}"
    assert desk.panel.form.amount_text() == "100"  # what was typed stays
    assert len(desk.stack.cluster.sends) == sends
    assert await desk.wallet_usdc() == 1_000 * USDC
    assert await desk.on_chain() == 0


async def test_a_refusal_by_the_backend_shows_at_the_field_without_a_dialog(desk: Desk) -> None:
    desk.type("deposit", "5000")
    assert desk.panel.send()

    await qt_until(lambda: desk.panel.refusal is not None, "the refusal")

    refusal = desk.panel.refusal
    assert refusal is not None
    assert (refusal.code, refusal.field) == ("insufficient_collateral", "amount")
    assert refusal.message == "your wallet holds 1000 USDC, less than 5000"
    assert desk.panel.form.error_text() == refusal.message
    assert desk.approver.dialog is None  # nothing to sign was ever shown
    assert await desk.wallet_usdc() == 1_000 * USDC
