"""The wallet in the workstation: a sign-in the user refuses leaves the workstation
running offline and saying why, and the Wallet panel shows the workstation's wallet."""

from __future__ import annotations

import asyncio
from pathlib import Path

from quantdesk_desktop.app import LaunchOptions, Workstation
from quantdesk_desktop.client.embedded import EmbeddedBackend
from quantdesk_desktop.client.offline import OfflineSession
from quantdesk_desktop.panels.wallet.approval_dialog import DialogApprover
from quantdesk_desktop.wallet.keeper import installed
from tests.desktop.live_backend import qt_until
from tests.desktop.wallet.approving import answer, shown


async def test_a_refused_sign_in_leaves_the_workstation_offline_saying_why(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("QUANTDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("QUANTDESK_DATA_DIR", str(tmp_path / "data"))
    remote = EmbeddedBackend(tmp_path / "remote", {"QUANTDESK_DOMAIN": "desk.example"})
    url = await remote.start()
    workstation = Workstation(LaunchOptions(backend_url=url))
    qtbot.addWidget(workstation.window)
    quit_event = asyncio.Event()
    earlier = installed()  # another test's workstation may have installed one
    running = asyncio.ensure_future(workstation.run(quit_event))
    try:
        await qt_until(lambda: installed() not in (None, earlier), "the wallet loaded")
        keeper = installed()
        assert keeper is not None and keeper.wallet is not None
        approver = keeper.gate.approver
        assert isinstance(approver, DialogApprover)
        panel = workstation.window.add_panel("wallet", "SOL-PERP")
        panel.refresh()
        assert panel.pubkey_edit.text() == keeper.wallet.pubkey  # the workstation's wallet
        answer(qtbot, await shown(approver), sign=False)
        notice = workstation.window.status.notice
        await qt_until(lambda: notice.text().startswith("Not signed in"), "the refusal said")
        assert "you refused to sign the sign-in message" in (notice.text() + notice.toolTip())
        assert isinstance(workstation.window.intents, OfflineSession)  # trading refused
        assert keeper.gate.signed.entries == []
        quit_event.set()
        assert await running == 0
    finally:
        if not running.done():
            running.cancel()
        await workstation.stop()
        remote.stop()
