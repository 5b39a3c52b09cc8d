"""The application: a QApplication on qasync's asyncio loop, the main window, the
embedded (or a remote) backend, and the client session that feeds the store."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import qasync

from backend import gc_policy
from quantdesk_desktop import paths, theme
from quantdesk_desktop.client.embedded import BackendFailed, EmbeddedBackend
from quantdesk_desktop.client.rest import ApiError
from quantdesk_desktop.client.session import WorkstationClient
from quantdesk_desktop.client.wallet import Wallet
from quantdesk_desktop.hotkeys.keymap import Keymap
from quantdesk_desktop.hotkeys.sizes import HotkeySizes
from quantdesk_desktop.qt import QApplication, QtCore, QtGui
from quantdesk_desktop.settings import EMBEDDED, WorkstationSettings
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.ui.app_icon import DESKTOP_FILE, application_icon
from quantdesk_desktop.ui.main_window import MainWindow
from quantdesk_desktop.ui.workspace import WorkspaceStore
from quantdesk_desktop.wallet.errors import WalletError
from quantdesk_desktop.wallet.gate import EMBEDDED_BACKEND, SigningGate
from quantdesk_desktop.wallet.keeper import WalletKeeper
from quantdesk_desktop.wallet.keeper import install as install_wallet

if TYPE_CHECKING:
    from quantdesk_desktop.cache.database import CacheDatabase

log = logging.getLogger("quantdesk")

DEFAULT_MARKET = "SOL-PERP"
DATA_FLOWING_TIMEOUT_S = 60.0
FRAME_S = 0.02


@dataclass(slots=True)
class LaunchOptions:
    """What the command line asked for."""

    screenshot: Path | None = None
    backend_url: str | None = None
    workspace: str | None = None
    theme: str | None = None
    backend: EmbeddedBackend | None = None
    """The embedded backend, already spawned by the launcher (None: start it here)."""
    notices: tuple[str, ...] = ()
    """What the user must know for the whole session (shown in the status bar)."""


def data_is_flowing(window: MainWindow) -> bool:
    """Whether every open panel has live data to show: prices for the markets, and each
    followed book and candle series filled from the backend."""
    store = window.store
    if store.connection.state != "online" or not store.board.symbols:
        return False
    if any(p.mark is None for p in store.board.prices.values()):
        return False
    for channel, market, interval in store.wanted:
        if channel == "book" and not (store.book(market).bids and store.book(market).asks):
            return False
        if channel == "candles" and interval and not store.candle_series(market, interval).version:
            return False  # its history not loaded yet (a new market may have no trades)
    return True


def save_screenshots(window: MainWindow, path: Path) -> list[Path]:
    """A PNG of every open window: ``path`` for the main one, ``<stem>-2.png`` ... for
    floating ones."""
    saved = []
    path.parent.mkdir(parents=True, exist_ok=True)
    for number, widget in enumerate(window.top_level_windows(), start=1):
        target = path if number == 1 else path.with_name(f"{path.stem}-{number}{path.suffix}")
        if not widget.grab().save(str(target), "PNG"):
            raise OSError(f"could not write {target}")
        saved.append(target)
    return saved


class Workstation:
    """The running application's parts, started and stopped in order."""

    def __init__(self, options: LaunchOptions) -> None:
        self.options = options
        self.settings_path = paths.config_dir() / "settings.json"
        self.settings = WorkstationSettings.load(self.settings_path)
        theme_name = options.theme or self.settings.theme
        theme.use(theme_name)
        self.store = MarketStore()
        warning, danger = self.settings.alerts.thresholds()
        self.store.alerts.configure(warning, danger, sound=self.settings.alerts.sound)
        self.window = MainWindow(self.store, WorkspaceStore(paths.config_dir() / "workspaces"))
        self.window.quit_on_close = True
        self._take_hotkeys()
        self.backend: EmbeddedBackend | None = options.backend
        self.client: WorkstationClient | None = None
        self.cache: CacheDatabase | None = None
        self._cache_opening: asyncio.Future | None = None

    async def run(self, quit_event: asyncio.Event) -> int:
        """Start everything, run until the window closes (or the screenshot is taken)."""
        self._open_workspace()
        self.window.resize(1600, 960)
        self.window.show()
        log.info("window shown")
        wallet = self._load_wallet()
        try:
            url = await self._backend_url()
            log.info("backend at %s answers", url)
            if self.backend is not None and url == self.backend.url:
                wallet.gate.trust(url, EMBEDDED_BACKEND)  # its sign-in needs no dialog
            self.client = WorkstationClient(self.store, url, wallet)
            await self.client.start()
            log.info("signed in as %s", wallet.pubkey)
        except (BackendFailed, ApiError, OSError, WalletError) as error:
            log.error("cannot start the session: %s", error)
            self.cache = self._open_cache(wallet.pubkey)
            self._go_offline(str(error))
            if isinstance(error, WalletError):  # the backend answers: the wallet said no
                self.window.status.show_notice(f"Not signed in: {error}")
            if self.options.screenshot is not None:
                return 1
            await quit_event.wait()
            return 0
        self.window.intents = self.client
        self.client.on_own_update = self.window.request_frame
        self.window.status.show_notice("; ".join(self.options.notices))
        # the cache (and its database layer) after the first window: not on the way to it
        self._cache_opening = asyncio.ensure_future(self._attach_cache(wallet.pubkey))
        # the windows and the first data are long-lived: frozen, they are not walked by
        # every full collection (which otherwise pauses a busy frame by 30-70 ms)
        gc_policy.install()
        sweeper = asyncio.ensure_future(gc_policy.GcSweeper().run(quit_event))
        try:
            if self.options.screenshot is not None:
                return await self._screenshot(self.options.screenshot)
            await quit_event.wait()
            return 0
        finally:
            sweeper.cancel()

    def _load_wallet(self) -> Wallet:
        """The profile's wallet (shown in the Wallet panel), whose signatures the user
        approves in a dialog over the window, except sign-ins to remembered backends."""
        from quantdesk_desktop.panels.wallet.approval_dialog import DialogApprover

        gate = SigningGate(DialogApprover(self.window))
        for url in self.settings.trusted_sign_in:
            gate.trust(url)
        gate.on_remember = self._remember_backend
        keeper = WalletKeeper(self.settings.profile.name, paths.data_dir(), gate=gate)
        wallet = keeper.load()
        install_wallet(keeper)
        return wallet

    def _remember_backend(self, url: str) -> None:
        """Sign in to ``url`` without asking from now on (the URL is saved, nothing else)."""
        if url not in self.settings.trusted_sign_in:
            self.settings.trusted_sign_in.append(url)
            self._save_settings()

    def _open_cache(self, pubkey: str) -> CacheDatabase | None:
        """The account's local cache for this backend profile, under review (None, and
        said, when it cannot be opened: the workstation then runs without one)."""
        from quantdesk_desktop.cache.queries import last_synced

        database = self._open_cache_file(pubkey)
        if database is None:
            self.window.status.show_notice("Local cache not opened: see the log")
            return None
        with database.engine.connect() as connection:
            self.store.review.use(database, last_synced(connection))
        return database

    async def _attach_cache(self, pubkey: str) -> None:
        """Open the cache off the UI thread and let the session keep it in step."""
        loop = asyncio.get_running_loop()
        database = await loop.run_in_executor(None, self._open_cache_file, pubkey)
        if database is None or self.client is None:
            return
        self.cache = database
        self.store.review.use(database)
        self.client.use_cache(database)

    def _open_cache_file(self, pubkey: str) -> CacheDatabase | None:
        from sqlalchemy.exc import SQLAlchemyError

        from quantdesk_desktop.cache.database import CacheDatabase, CacheMismatch, cache_path
        from quantdesk_desktop.cache.migrations import CacheTooNew

        path = cache_path(paths.data_dir(), self.settings.profile.name, pubkey)
        try:
            return CacheDatabase(path, pubkey)
        except (CacheTooNew, CacheMismatch, OSError, SQLAlchemyError) as error:
            log.error("local cache %s not opened: %s", path, error)
            return None

    def _go_offline(self, reason: str) -> None:
        """No backend: say so, refuse trading, and show what the cache holds."""
        self.store.review.set_offline(True)
        if self.cache is None:
            self.window.status.show_notice(f"No backend: {reason}")
            self.store.connection.state = "offline"
            self.store.connection.version += 1
            return
        from quantdesk_desktop.client.offline import OfflineSession

        offline = OfflineSession(self.store, self.cache)
        offline.start()
        self.window.intents = offline
        self.window.status.show_notice("Offline: no backend answers; reviewing the local cache")
        self.window.status.notice.setToolTip(f"{reason}. Trading is off until a restart.")

    def _take_hotkeys(self) -> None:
        """The saved key map and sizes into the store (what cannot be read is said and
        left at its default); saved again whenever they change."""
        board = self.store.hotkeys
        board.keymap, key_problems = Keymap.from_settings(self.settings.hotkeys)
        board.sizes, size_problems = HotkeySizes.from_settings(self.settings.hotkey_sizes)
        for problem in key_problems + size_problems:
            log.warning("settings: %s", problem)
        self.window.hotkeys.on_bindings_changed = lambda _board: self._save_settings()

    def _save_settings(self) -> None:
        board = self.store.hotkeys
        self.settings.hotkeys = board.keymap.as_settings()
        self.settings.hotkey_sizes = board.sizes.as_settings()
        self.settings.alerts.sound = self.store.alerts.sound
        try:
            self.settings.save(self.settings_path)
        except OSError as error:
            log.warning("settings not saved: %s", error)

    def _open_workspace(self) -> None:
        name = self.options.workspace or self.settings.last_workspace
        if name in self.window.workspaces.names() and self.window.load_workspace(name):
            return
        self.window.default_layout(DEFAULT_MARKET)
        self.window.workspace_name = name

    async def _backend_url(self) -> str:
        if self.options.backend_url:
            return self.options.backend_url
        profile = self.settings.profile
        if profile.name != EMBEDDED and profile.url:
            return profile.url
        if self.backend is None:
            self.backend = EmbeddedBackend(paths.data_dir() / "embedded")
        self.window.status.show_notice("starting the embedded backend…")
        return await self.backend.start()

    async def _screenshot(self, path: Path) -> int:
        deadline = time.monotonic() + DATA_FLOWING_TIMEOUT_S
        while not data_is_flowing(self.window):
            if time.monotonic() > deadline:
                log.error("no market data after %.0f s: no screenshot", DATA_FLOWING_TIMEOUT_S)
                return 1
            await asyncio.sleep(0.05)
        self.window.frame()
        # the frame's repaints reach the screen now; processEvents() here would run the
        # asyncio loop's callbacks inside this task, and a session task woken that way
        # fails ("Cannot enter into task") and is never finished
        for window in self.window.top_level_windows():
            window.repaint()
        print(f"live data painted at {time.time():.3f}", flush=True)
        for _ in range(3):  # let the panels paint what arrived
            self.window.frame()
            await asyncio.sleep(FRAME_S)
        try:
            saved = save_screenshots(self.window, path)
        except OSError as error:
            log.error("cannot save the screenshot in %s: %s", path.parent, error.strerror or error)
            return 1
        for target in saved:
            print(f"saved {target}")
        return 0

    async def stop(self) -> None:
        """Save the workspace and settings, stop the session and the embedded backend."""
        if self.options.screenshot is None:
            self.window.save_workspace()
            self.settings.last_workspace = self.window.workspace_name
            self.settings.theme = theme.current().name
            self._save_settings()
        if self._cache_opening is not None:
            self._cache_opening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._cache_opening
        if self.client is not None:
            await self.client.stop()
        if self.cache is not None:
            self.cache.close()
        if self.backend is not None:
            self.backend.stop()


def run(options: LaunchOptions) -> int:
    """Open the workstation; its exit code."""
    QtCore.QCoreApplication.setApplicationName("QuantDesk")
    QtCore.QCoreApplication.setOrganizationName("QuantDesk")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setWindowIcon(application_icon())
    QtGui.QGuiApplication.setDesktopFileName(DESKTOP_FILE)
    app.setStyleSheet(theme.style_sheet(options.theme or "dark"))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    quit_event = asyncio.Event()
    app.aboutToQuit.connect(quit_event.set)
    # SIGTERM (a desk's session manager, `kill`) closes the workstation as its window does:
    # the workspace is saved and the embedded backend stopped
    signal.signal(signal.SIGTERM, lambda *_: loop.call_soon_threadsafe(quit_event.set))
    workstation = Workstation(options)
    app.setStyleSheet(theme.style_sheet(theme.current().name))

    async def main() -> int:
        try:
            return await workstation.run(quit_event)
        finally:
            await workstation.stop()

    with loop:
        code = loop.run_until_complete(main())
    return code
