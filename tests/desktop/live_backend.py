"""Fixtures and a wait helper for the desktop tests that run against a real embedded
backend (the client layer, the blotter's history)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from quantdesk_desktop.client.embedded import EmbeddedBackend
from quantdesk_desktop.client.session import WorkstationClient
from quantdesk_desktop.client.wallet import load_wallet
from quantdesk_desktop.state.store import MarketStore


async def until(condition: Callable[[], object], what: str, timeout_s: float = 30.0) -> None:
    """Wait (yielding to the loop) until ``condition`` holds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"not seen in {timeout_s:g} s: {what}"
        await asyncio.sleep(0.02)


async def qt_until(condition: Callable[[], object], what: str, timeout_s: float = 30.0) -> None:
    """`until`, processing Qt's events meanwhile (the window's frames, X input)."""
    from quantdesk_desktop.qt import QApplication

    deadline = time.monotonic() + timeout_s
    while True:
        QApplication.processEvents()
        if condition():
            return
        assert time.monotonic() < deadline, f"not seen in {timeout_s:g} s: {what}"
        await asyncio.sleep(0.005)


@pytest.fixture
async def backend(tmp_path: Path) -> AsyncIterator[EmbeddedBackend]:
    """The embedded backend on a free port, stopped after the test."""
    embedded = EmbeddedBackend(tmp_path / "embedded")
    await embedded.start()
    yield embedded
    embedded.stop()
    assert embedded.process is None


@pytest.fixture
async def client(backend: EmbeddedBackend, tmp_path: Path) -> AsyncIterator[WorkstationClient]:
    """A signed-in session with a fresh wallet."""
    session = WorkstationClient(MarketStore(), backend.url, load_wallet("test", tmp_path))
    await session.start()
    yield session
    await session.stop()
