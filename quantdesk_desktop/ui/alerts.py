"""App-wide alerting, whatever panels are open: each new alert in the store is shown in a
flashing banner over the main window and in the status bar, heard (unless the sound is
off), and sent as a desktop notification. Called once a frame by the main window."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from quantdesk_desktop.qt import QApplication, QtCore, QtWidgets
from quantdesk_desktop.state.alerts import Alert, Level
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.ui.alert_banner import AlertBanner
from quantdesk_desktop.ui.alert_sound import sound_file
from quantdesk_desktop.ui.desktop_notifier import DesktopNotifier

log = logging.getLogger("quantdesk.alerts")

NOTICE_CHARS = 60
"""The status bar gets the alert's first words (its label would otherwise widen the
window); the banner and the notification have all of it."""
PLAYERS = (("paplay", ()), ("aplay", ("-q",)))
"""Sound players tried in order (PulseAudio/PipeWire, then ALSA), with their options."""


class AlertSound:
    """Plays the alert chime with the desktop's sound player, or beeps without one."""

    def __init__(self, wav: Path | None = None) -> None:
        self.wav = sound_file() if wav is None else wav
        self.player: tuple[str, tuple[str, ...]] | None = None
        for name, options in PLAYERS:
            found = shutil.which(name)
            if found is not None:
                self.player = (found, options)
                break

    def play(self) -> str:
        """Sound the alert; how (the player's path, or ``beep``)."""
        if self.player is not None and self.wav.is_file():
            program, options = self.player
            started, _ = QtCore.QProcess.startDetached(program, [*options, str(self.wav)])
            if started:
                return program
            log.warning("%s did not start: beeping instead", program)
        QApplication.beep()
        return "beep"


class AlertAnnouncer:
    """Announces the store's new alerts; `frame` is called once a frame."""

    def __init__(
        self,
        window: QtWidgets.QMainWindow,
        store: MarketStore,
        notice,
        notifier: DesktopNotifier | None = None,
        sound: AlertSound | None = None,
    ) -> None:
        """``notice``: shows a line of text to the user (the status bar's)."""
        self.store = store
        self.notice = notice
        self.banner = AlertBanner(window)
        self._notifier = notifier
        self._sound = sound
        latest = store.alerts.latest
        self._serial = 0 if latest is None else latest.serial
        """The last alert announced (those before this window are not repeated)."""
        self._seen = -1
        self.announced: list[Alert] = []
        """Every alert announced, oldest first."""
        self.sounded: list[str] = []
        """How each announcement was heard (the player, ``beep``; nothing when muted)."""

    @property
    def notifier(self) -> DesktopNotifier:
        """The desktop notifier (made on the first alert)."""
        if self._notifier is None:
            self._notifier = DesktopNotifier(parent=self.banner)
        return self._notifier

    @property
    def sound(self) -> AlertSound:
        """The alert sound (looked for on the first alert)."""
        if self._sound is None:
            self._sound = AlertSound()
        return self._sound

    def frame(self) -> None:
        """Announce what was raised since the last frame (nothing to do most frames)."""
        alerts = self.store.alerts
        if alerts.version == self._seen:
            return
        self._seen = alerts.version
        fresh = alerts.after(self._serial)
        if not fresh:
            return
        self._serial = fresh[-1].serial
        self.announced.extend(fresh)
        worst = max(fresh, key=lambda alert: (alert.level, alert.serial))
        self.banner.show_alert(worst, len(fresh) - 1)
        self.notice(_shortened(f"{worst.title}: {worst.body}"))
        if alerts.sound:
            self.sounded.append(self.sound.play())
        for alert in fresh:
            self.notifier.notify(alert.title, alert.body, urgent=alert.level is Level.DANGER)

    def close(self) -> None:
        """Let go of the notifier's worker."""
        if self._notifier is not None:
            self._notifier.close()


def _shortened(text: str) -> str:
    return text if len(text) <= NOTICE_CHARS else text[: NOTICE_CHARS - 1].rstrip() + "…"
