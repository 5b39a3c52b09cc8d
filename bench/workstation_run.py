"""Running the workstation in this process for a benchmark: on qasync's loop, against a
backend at ``url``, until its session is up; then ``measure`` gets it, and it stops."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
SESSION_DEADLINE_S = 60.0


def run_workstation(url: str, measure: Callable[[object], Awaitable[T]]) -> T:
    """Start the workstation, wait for its session, return what ``measure`` finds."""
    import qasync

    from quantdesk_desktop import theme
    from quantdesk_desktop.app import LaunchOptions, Workstation
    from quantdesk_desktop.qt import QApplication

    app = QApplication.instance() or QApplication([])
    app.setStyleSheet(theme.style_sheet("dark"))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    workstation = Workstation(LaunchOptions(backend_url=url))
    never = asyncio.Event()

    async def main() -> T:
        runner = asyncio.ensure_future(workstation.run(never))
        deadline = time.monotonic() + SESSION_DEADLINE_S
        try:
            while workstation.client is None or workstation.window.intents is None:
                if runner.done():
                    raise RuntimeError(f"the workstation stopped: {runner.result()}")
                if time.monotonic() > deadline or workstation.store.connection.state == "offline":
                    notice = workstation.window.status.notice.text()
                    raise RuntimeError(f"the workstation did not start its session: {notice}")
                await asyncio.sleep(0.05)
            return await measure(workstation)
        finally:
            runner.cancel()
            await workstation.stop()

    with loop:
        return loop.run_until_complete(main())
