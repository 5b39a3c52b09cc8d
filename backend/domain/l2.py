"""The L2 view of a book: aggregated visible size per price, as a snapshot and as deltas.

A client takes an `L2Snapshot`, then applies every `L2Delta` whose ``seq`` is above the
snapshot's; deltas are numbered consecutively per market, so a gap means re-snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from backend.domain.orders import Side


@dataclass(frozen=True, slots=True)
class L2Snapshot:
    """Aggregated visible size per price, best first, as of delta ``seq``."""

    market: str
    seq: int
    bids: list[tuple[int, int]]
    asks: list[tuple[int, int]]


class L2Delta(NamedTuple):
    """The new aggregated visible size of one level; 0 means the level is gone.

    A named tuple rather than a frozen dataclass: one is made per changed level per
    command, and building a tuple costs a fifth of a frozen dataclass's ``__init__``.
    """

    market: str
    seq: int
    side: Side
    price: int
    size: int
