"""The workstation's own settings (theme, connection profile, last workspace), a JSON
file in the config directory. A missing or unreadable file gives the defaults; a bad
value is replaced by its default and the reason logged, never a failed start."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from backend.domain.fixed_point import FixedPointError, parse_fixed
from quantdesk_desktop.state.alerts import DEFAULT_REARM

log = logging.getLogger("quantdesk.settings")

EMBEDDED = "embedded"


@dataclass(slots=True)
class ConnectionProfile:
    """Where the backend is: ``embedded`` (started by the workstation) or a URL."""

    name: str = EMBEDDED
    url: str | None = None
    """A remote `quantdesk-backend`'s base URL (None for the embedded one)."""


@dataclass(slots=True)
class AlertSettings:
    """When account health alerts (percentages of health as decimal text) and whether
    alerts sound."""

    health_warning: str = "30"
    health_danger: str = "15"
    sound: bool = True

    def thresholds(self) -> tuple[int, int]:
        """(warning, danger) in ppm of health (1e6 = 100 %)."""
        return _percent_ppm(self.health_warning), _percent_ppm(self.health_danger)

    @classmethod
    def of(cls, raw: dict) -> AlertSettings:
        """From the file's ``alerts`` object: the thresholds are kept only as a pair with
        0 < danger < warning and room above the warning to leave it again; else both are
        the defaults (logged)."""
        settings = cls()
        if isinstance(raw.get("sound"), bool):
            settings.sound = raw["sound"]
        warning, danger = raw.get("health_warning"), raw.get("health_danger")
        if warning is None and danger is None:
            return settings
        candidate = cls(str(warning), str(danger), settings.sound)
        try:
            if isinstance(warning, bool) or isinstance(danger, bool):
                raise FixedPointError("a threshold is a percentage, not true or false")
            high, low = candidate.thresholds()
        except FixedPointError as error:
            log.warning("alert thresholds ignored (%s): using the defaults", error)
            return settings
        if not 0 < low < high <= 1_000_000 - DEFAULT_REARM:
            log.warning(
                "alert thresholds ignored (warning %s %%, danger %s %%): they need "
                "0 < danger < warning <= %s %%",
                warning,
                danger,
                (1_000_000 - DEFAULT_REARM) // 10_000,
            )
            return settings
        return candidate


def _percent_ppm(text: str) -> int:
    """A percentage as text ("12.5") in ppm of the whole (125_000)."""
    return parse_fixed(text, 10_000, "alert threshold")


@dataclass(slots=True)
class WorkstationSettings:
    """What the workstation remembers between runs."""

    theme: str = "dark"
    profile: ConnectionProfile = field(default_factory=ConnectionProfile)
    last_workspace: str = "Default"
    hotkeys: dict[str, str] | None = None
    """Key per hotkey action (Qt's portable key text; None: the defaults). Checked when the
    hotkeys take it (`quantdesk_desktop.hotkeys.keymap`)."""
    hotkey_sizes: dict[str, str] = field(default_factory=dict)
    """Hotkey order size per market, as decimal text."""
    alerts: AlertSettings = field(default_factory=AlertSettings)
    """Account health thresholds and the alert sound."""
    trusted_sign_in: list[str] = field(default_factory=list)
    """Backend URLs the wallet signs in to without asking (the approval dialog's "don't
    ask again"). URLs only: no key or secret is ever in the settings."""

    @classmethod
    def load(cls, path: Path) -> WorkstationSettings:
        """The settings in ``path`` (defaults for what is missing or wrong)."""
        settings = cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return settings
        except (OSError, ValueError) as error:
            log.warning("settings %s unreadable (%s): using the defaults", path, error)
            return settings
        if not isinstance(raw, dict):
            return settings
        if raw.get("theme") in ("dark", "light"):
            settings.theme = raw["theme"]
        if isinstance(raw.get("last_workspace"), str) and raw["last_workspace"]:
            settings.last_workspace = raw["last_workspace"]
        if isinstance(raw.get("hotkeys"), dict):
            settings.hotkeys = raw["hotkeys"]
        if isinstance(raw.get("hotkey_sizes"), dict):
            settings.hotkey_sizes = raw["hotkey_sizes"]
        if isinstance(raw.get("alerts"), dict):
            settings.alerts = AlertSettings.of(raw["alerts"])
        if isinstance(raw.get("trusted_sign_in"), list):
            settings.trusted_sign_in = [u for u in raw["trusted_sign_in"] if isinstance(u, str)]
        profile = raw.get("profile")
        if isinstance(profile, dict):
            known = {f.name for f in fields(ConnectionProfile)}
            values = {k: v for k, v in profile.items() if k in known and isinstance(v, str)}
            settings.profile = ConnectionProfile(**values)
        return settings

    def save(self, path: Path) -> None:
        """Write the settings (atomically: a crash leaves the old file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_suffix(".tmp")
        scratch.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        scratch.replace(path)
