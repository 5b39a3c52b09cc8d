"""Whether the ticket may send, and the line that says so: incomplete (muted), would be
refused (red), blocked or flagged by a guard, or ready."""

from __future__ import annotations

from dataclasses import dataclass

from quantdesk_desktop.panels.ticket.preview import Preview

MISSING = {
    "size": "Enter a size",
    "size_below_lot": "The size is below one lot at this price",
    "price": "Enter a limit price",
    "trigger": "Enter a trigger price",
    "trailing": "Enter a trailing distance",
    "visible_size": "Enter a visible size",
    "take_profit_price": "Enter a take-profit price",
    "stop_loss_price": "Enter a stop-loss price",
}


@dataclass(frozen=True, slots=True)
class Verdict:
    """``blocked`` is why Send is disabled (None: it may send); ``tone`` is ``ok``,
    ``muted``, ``warn`` or ``bad``."""

    blocked: str | None
    text: str
    tone: str


def judge(missing: list[str], preview: Preview, breaches: list[str], mode: str) -> Verdict:
    """The verdict on an order with blank inputs ``missing`` (size first), its preview
    and the guards it is beyond (``mode`` ``confirm`` or ``refuse``)."""
    if missing:
        text = MISSING.get(missing[0], "Complete the order")
        return Verdict(text, text, "muted")
    if preview.rejection is not None:
        reason = preview.rejection.message
        return Verdict(reason, f"Would be refused: {reason}", "bad")
    listed = "; ".join(breaches)
    if breaches and mode == "refuse":
        return Verdict(f"beyond a guard: {listed}", f"Blocked by guard: {listed}", "bad")
    if breaches:
        return Verdict(None, f"Beyond guard (asks to confirm): {listed}", "warn")
    return Verdict(None, "Ready to send", "ok")
