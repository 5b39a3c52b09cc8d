"""Account alerts: the server's `alerts` channel (margin calls, liquidations) and the
account health, from the polled risk figures, falling through the warning and danger
thresholds. Each alert is kept with a serial number, so that whoever announces them (the
window's banner, sound and desktop notification) takes each one once.

Health crosses a threshold only downwards: once at a level, it leaves it upwards only
when it has climbed ``rearm`` above that level's threshold (hysteresis), so a health
wavering around a threshold raises one alert, not one every poll.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from enum import IntEnum

from backend.domain.fixed_point import RATIO_PRECISION, FixedPointError, parse_ratio

DEFAULT_WARNING = 300_000
"""Health (ppm) below which the account is in warning: 30 %."""
DEFAULT_DANGER = 150_000
"""Health (ppm) below which the account is in danger: 15 %."""
DEFAULT_REARM = 50_000
"""How far (ppm) above a threshold health must climb to leave its level: 5 points."""
ALERTS_KEPT = 200


class Level(IntEnum):
    """How bad the account's health is (ordered: a higher level is worse)."""

    OK = 0
    WARNING = 1
    DANGER = 2


@dataclass(frozen=True, slots=True)
class Alert:
    """One thing to tell the user about, loudly."""

    serial: int
    """1, 2, 3 ... in the order raised."""
    kind: str
    """``health``, ``margin_call`` or ``liquidation``."""
    level: Level
    title: str
    body: str
    time_ms: int


@dataclass(slots=True)
class AlertsState:
    """The raised alerts (newest last), the health level, and the thresholds."""

    warning: int = DEFAULT_WARNING
    danger: int = DEFAULT_DANGER
    rearm: int = DEFAULT_REARM
    sound: bool = True
    """Whether alerts are also heard (the workstation settings' ``alerts.sound``)."""
    level: Level = Level.OK
    """The health level, with hysteresis (what alerts are raised against)."""
    health: int | None = None
    """The last health observed (ppm); None before the first risk figures."""
    alerts: deque[Alert] = field(default_factory=lambda: deque(maxlen=ALERTS_KEPT))
    version: int = 0
    """Moves whenever an alert is raised or the level, thresholds or sound change."""
    _serial: int = 0

    def configure(
        self, warning: int, danger: int, rearm: int | None = None, sound: bool | None = None
    ) -> None:
        """New thresholds (ppm); `ValueError` unless ``0 < danger < warning < 1e6`` and the
        hysteresis ``rearm`` keeps the warning level's exit at or below 100 %."""
        rearm = self.rearm if rearm is None else rearm
        if not 0 < danger < warning < RATIO_PRECISION:
            raise ValueError("the thresholds need 0 < danger < warning < 100 %")
        if not 0 <= rearm <= RATIO_PRECISION - warning:
            raise ValueError("the hysteresis must be between 0 and 100 % less the warning")
        self.warning, self.danger, self.rearm = warning, danger, rearm
        if sound is not None:
            self.sound = sound
        self.version += 1

    def set_sound(self, on: bool) -> None:
        """Hear alerts (or not)."""
        if on != self.sound:
            self.sound = on
            self.version += 1

    def band(self, health: int) -> Level:
        """The level of ``health`` without hysteresis (for colouring a gauge)."""
        if health < self.danger:
            return Level.DANGER
        if health < self.warning:
            return Level.WARNING
        return Level.OK

    def observe_health(self, text: str | None, now_ms: int) -> Alert | None:
        """Take the account health from a risk answer (decimal text, 1 = no risk); the
        alert raised if it fell through a threshold."""
        if text is None:
            return None
        try:
            health = parse_ratio(text)
        except FixedPointError:
            return None
        self.health = health
        fell_to = self.band(health)
        if fell_to > self.level:
            self.level = fell_to
            self.version += 1
            threshold = self.danger if fell_to is Level.DANGER else self.warning
            name = "danger" if fell_to is Level.DANGER else "warning"
            return self._raise(
                "health",
                fell_to,
                f"Account health {percent_text(health)}",
                f"Below the {name} threshold of {percent_text(threshold)}: add collateral "
                "or reduce positions.",
                now_ms,
            )
        recovered = self._recovered(health)
        if recovered < self.level:
            self.level = recovered
            self.version += 1
        return None

    def _recovered(self, health: int) -> Level:
        if health >= self.warning + self.rearm:
            return Level.OK
        if health >= self.danger + self.rearm:
            return min(self.level, Level.WARNING)
        return self.level

    def apply(self, message: dict, now_ms: int) -> Alert | None:
        """Take an `alerts` channel message; the alert it raises (None for an unknown
        type)."""
        kind = message.get("type")
        if kind == "margin_call":
            market = message.get("market") or "the account"
            health = _ratio_or_none(message.get("health"))
            figures = []
            if message.get("equity") is not None:
                figures.append(f"equity {message['equity']} USDC")
            if message.get("maintenance_requirement") is not None:
                figures.append(f"maintenance requirement {message['maintenance_requirement']} USDC")
            where = f"{market}: health {percent_text(health)}" if health is not None else market
            body = where + (f" ({', '.join(figures)})" if figures else "")
            return self._raise("margin_call", Level.DANGER, "Margin call", body, now_ms)
        if kind == "liquidation":
            closed = message.get("closed") or []
            parts = [
                f"{row.get('market')} {row.get('size')} @ {row.get('price')}"
                + (f" (fee {row['fee']} USDC)" if row.get("fee") is not None else "")
                for row in closed
                if isinstance(row, dict)
            ]
            body = "Closed " + ", ".join(parts) if parts else "Positions were closed."
            if message.get("healthy_after") is False:
                body += "; the account is still below maintenance margin."
            return self._raise("liquidation", Level.DANGER, "Liquidation", body, now_ms)
        return None

    def _raise(self, kind: str, level: Level, title: str, body: str, now_ms: int) -> Alert:
        self._serial += 1
        alert = Alert(self._serial, kind, level, title, body, now_ms)
        self.alerts.append(alert)
        self.version += 1
        return alert

    def after(self, serial: int) -> list[Alert]:
        """The alerts raised after the one numbered ``serial``, oldest first."""
        return [alert for alert in self.alerts if alert.serial > serial]

    @property
    def latest(self) -> Alert | None:
        """The newest alert, if any."""
        return self.alerts[-1] if self.alerts else None


def percent_text(ratio: int | None, places: int = 1) -> str:
    """A ratio (1e6 = 100 %) as a percentage rounded down to ``places`` (a health shown
    is never better than it is): 128_233 -> "12.8 %"."""
    if ratio is None:
        return "—"
    value = (Decimal(ratio) * 100 / RATIO_PRECISION).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_FLOOR
    )
    return f"{value} %"


def _ratio_or_none(text: object) -> int | None:
    try:
        return parse_ratio(str(text)) if text is not None else None
    except (FixedPointError, InvalidOperation):
        return None
