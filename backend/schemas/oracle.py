"""Prices on the wire."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class PriceOut(BaseModel):
    """A market's current mark and oracle price, and where the oracle price comes from."""

    market: str
    mark: str
    oracle: str
    status: Literal["live", "stale", "fallback", "halted"] = Field(
        description="live: the primary source; fallback: the secondary serves; stale: the "
        "last price stands (no liquidations); halted: no valid price (reduce-only)"
    )
    source: str | None = Field(description="the source of the oracle price (pyth, sim, ...)")
    published_ms: int | None = Field(description="when the source published it (epoch ms)")
