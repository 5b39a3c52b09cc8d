"""Prices on the wire."""

from __future__ import annotations

from pydantic import BaseModel


class PriceOut(BaseModel):
    """A market's current mark and oracle price."""

    market: str
    mark: str
    oracle: str
