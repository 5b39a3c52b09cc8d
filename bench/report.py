"""The one shape of a benchmark figure, as printed by ``python -m bench``."""

from __future__ import annotations

from typing import Any


def figure(
    bench: str,
    metric: str,
    value: float,
    unit: str,
    peer: str | None = None,
    peer_value: float | None = None,
    higher_is_better: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """A JSON-ready record; with a peer figure it also carries ``ratio`` (ours over the peer's
    for higher-is-better metrics, the peer's over ours otherwise, so above 1 means we win)."""
    record: dict[str, Any] = {
        "bench": bench,
        "metric": metric,
        "value": round(value, 3),
        "unit": unit,
        "peer": peer,
        "peer_value": None if peer_value is None else round(peer_value, 3),
    }
    if peer_value:
        ratio = value / peer_value if higher_is_better else peer_value / value if value else None
        record["ratio"] = None if ratio is None else round(ratio, 3)
    record.update(extra)
    return record
