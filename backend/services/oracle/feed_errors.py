"""What can go wrong with an outside price source, whichever it is."""

from __future__ import annotations


class FeedUnavailable(RuntimeError):
    """The source did not answer usefully; ``retry_after_s`` when it said when to return."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class FeedFormatError(ValueError):
    """The source answered, but not in its documented shape."""


def retry_after(header: str | None) -> float | None:
    """Seconds from a `Retry-After` header given in seconds (None if absent or a date)."""
    value = (header or "").strip()
    return float(value) if value.isdigit() else None
