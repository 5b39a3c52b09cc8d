"""The account's positions and own fills, from the private `positions` and `fills`
channels (the chart draws entry, liquidation and fill markers from them)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from backend.domain.fixed_point import parse_base, parse_price, parse_quote

FILLS_KEPT = 100_000


@dataclass(frozen=True, slots=True)
class PositionView:
    """One open position (base signed: long > 0; prices in price units)."""

    market: str
    size: int
    entry_price: int | None
    mark_price: int | None
    unrealised_pnl: int
    liquidation_price: int | None

    @property
    def direction(self) -> str:
        """``long`` or ``short``."""
        return "long" if self.size > 0 else "short"

    @classmethod
    def of(cls, row: dict) -> PositionView:
        """From the wire shape."""

        def price(name: str) -> int | None:
            value = row.get(name)
            return None if value is None else parse_price(value)

        return cls(
            market=row["market"],
            size=parse_base(row["size"]),
            entry_price=price("entry_price"),
            mark_price=price("mark_price"),
            unrealised_pnl=parse_quote(row.get("unrealised_pnl") or "0"),
            liquidation_price=price("liquidation_price"),
        )


@dataclass(frozen=True, slots=True)
class OwnFill:
    """One of the account's fills."""

    trade_id: int
    order_id: int
    market: str
    side: str
    price: int
    size: int
    role: str
    time_ms: int
    fee: int = 0
    """Quote units paid (negative: a rebate)."""


@dataclass(slots=True)
class PositionsState:
    """Open positions by market, and the newest fills."""

    positions: dict[str, PositionView] = field(default_factory=dict)
    fills: deque[OwnFill] = field(default_factory=lambda: deque(maxlen=FILLS_KEPT))
    version: int = 0

    def apply_positions(self, message: dict) -> None:
        """Take a `positions` snapshot (the whole list, each time)."""
        views = [PositionView.of(row) for row in message.get("positions", [])]
        self.positions = {view.market: view for view in views if view.size}
        self.version += 1

    def apply_fill(self, message: dict) -> None:
        """Take a `fills` message."""
        row = message["fill"]
        self.fills.append(
            OwnFill(
                trade_id=row["trade_id"],
                order_id=row["order_id"],
                market=message["market"],
                side=row["side"],
                price=parse_price(row["price"]),
                size=parse_base(row["size"]),
                role=row["role"],
                time_ms=row["time_ms"],
                fee=parse_quote(row.get("fee") or "0"),
            )
        )
        self.version += 1

    def load_fills(self, fills: list[OwnFill]) -> None:
        """Replace the kept fills (oldest first), as the local cache has them."""
        self.fills = deque(fills, maxlen=FILLS_KEPT)
        self.version += 1

    def fills_in(self, market: str) -> list[OwnFill]:
        """The kept fills of ``market``, oldest first."""
        return [fill for fill in self.fills if fill.market == market]
