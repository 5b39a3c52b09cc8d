"""The `GET /api/risk` answer as fixed-point figures for the Risk panel (a field missing or
unreadable is None and shows as a dash; an older server without the collateral
breakdown or funding still shows what it sends)."""

from __future__ import annotations

from dataclasses import dataclass

from backend.domain.fixed_point import (
    BASE_PRECISION,
    FUNDING_RATE_PRECISION,
    PRICE_PRECISION,
    QUOTE_PRECISION,
    RATIO_PRECISION,
    FixedPointError,
    parse_fixed,
)


def _fixed(row: dict, name: str, precision: int) -> int | None:
    value = row.get(name)
    if value is None or isinstance(value, bool):
        return None
    try:
        return parse_fixed(str(value), precision, name)
    except FixedPointError:
        return None


def _int(row: dict, name: str) -> int | None:
    value = row.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class CollateralRow:
    """One collateral asset's part (quote units, price units, ratios in ppm)."""

    asset: str
    balance: str
    """As the server wrote it (in the asset's own decimals)."""
    price: int | None
    initial_weight: int | None
    maintenance_weight: int | None
    value: int | None
    weighted_initial: int | None
    weighted_maintenance: int | None

    @classmethod
    def of(cls, row: dict) -> CollateralRow:
        """From the wire shape (`CollateralRiskOut`)."""
        return cls(
            asset=str(row.get("asset", "?")),
            balance=str(row.get("balance", "")),
            price=_fixed(row, "price", PRICE_PRECISION),
            initial_weight=_fixed(row, "initial_weight", RATIO_PRECISION),
            maintenance_weight=_fixed(row, "maintenance_weight", RATIO_PRECISION),
            value=_fixed(row, "value", QUOTE_PRECISION),
            weighted_initial=_fixed(row, "weighted_initial", QUOTE_PRECISION),
            weighted_maintenance=_fixed(row, "weighted_maintenance", QUOTE_PRECISION),
        )


@dataclass(frozen=True, slots=True)
class PositionRow:
    """One position's distance to liquidation and its next funding."""

    market: str
    size: int | None
    """Base units, signed (long > 0)."""
    mark: int | None
    liquidation_price: int | None
    distance: int | None
    """ppm of the mark."""
    funding_rate: int | None
    """The running period's rate (1e9 = 100 %)."""
    funding_due: int | None
    """Quote units at the next settlement (negative: the account pays)."""
    next_funding_ms: int | None

    @classmethod
    def of(cls, row: dict) -> PositionRow:
        """From the wire shape (`PositionRiskOut`)."""
        return cls(
            market=str(row.get("market", "?")),
            size=_fixed(row, "size", BASE_PRECISION),
            mark=_fixed(row, "mark_price", PRICE_PRECISION),
            liquidation_price=_fixed(row, "liquidation_price", PRICE_PRECISION),
            distance=_fixed(row, "distance", RATIO_PRECISION),
            funding_rate=_fixed(row, "funding_rate_estimate", FUNDING_RATE_PRECISION),
            funding_due=_fixed(row, "funding_due", QUOTE_PRECISION),
            next_funding_ms=_int(row, "next_funding_ms"),
        )


@dataclass(frozen=True, slots=True)
class RiskFigures:
    """The account's margin state (quote units; health, margin ratio, leverage in ppm)."""

    health: int
    margin_ratio: int | None
    equity: int | None
    free_collateral: int | None
    collateral_initial: int | None
    collateral_maintenance: int | None
    initial_requirement: int | None
    maintenance_requirement: int | None
    reserved_for_orders: int | None
    unrealised_pnl: int | None
    notional: int | None
    leverage: int | None
    liquidatable: bool
    funding_due: int | None
    funding_paid: int | None
    collateral: tuple[CollateralRow, ...]
    positions: tuple[PositionRow, ...]

    @classmethod
    def of(cls, risk: dict) -> RiskFigures | None:
        """From the wire shape (`RiskOut`); None before the first answer (no health)."""
        health = _fixed(risk, "health", RATIO_PRECISION)
        if health is None:
            return None

        def quote(name: str) -> int | None:
            return _fixed(risk, name, QUOTE_PRECISION)

        return cls(
            health=health,
            margin_ratio=_fixed(risk, "margin_ratio", RATIO_PRECISION),
            equity=quote("equity"),
            free_collateral=quote("free_collateral"),
            collateral_initial=quote("collateral_initial"),
            collateral_maintenance=quote("collateral_maintenance"),
            initial_requirement=quote("initial_requirement"),
            maintenance_requirement=quote("maintenance_requirement"),
            reserved_for_orders=quote("reserved_for_orders"),
            unrealised_pnl=quote("unrealised_pnl"),
            notional=quote("notional"),
            leverage=_fixed(risk, "leverage", RATIO_PRECISION),
            liquidatable=risk.get("liquidatable") is True,
            funding_due=quote("funding_due"),
            funding_paid=quote("funding_paid"),
            collateral=tuple(
                CollateralRow.of(row)
                for row in risk.get("collateral") or []
                if isinstance(row, dict)
            ),
            positions=tuple(
                PositionRow.of(row) for row in risk.get("positions") or [] if isinstance(row, dict)
            ),
        )
