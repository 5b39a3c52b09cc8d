"""The transfer form's pre-check: what a deposit or withdrawal would do, judged with the
domain's own margin code (`margin.max_withdrawal` and `margin.risk_view`, as the ledger
judges a withdrawal) on the account as the workstation knows it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from backend.domain.fixed_point import format_fixed
from backend.domain.margin import MarketPrices, MissingPrice, asset_value, max_withdrawal, risk_view
from backend.domain.markets import MarketCatalog
from quantdesk_desktop.panels.ticket import amounts
from quantdesk_desktop.panels.ticket.snapshot import AccountNow


@dataclass(frozen=True, slots=True)
class TransferCheck:
    """What the form says under the amount before sending."""

    text: str
    tone: str
    """``muted`` (information), ``warn`` (cannot tell) or ``bad`` (would be refused)."""
    refused: bool = False
    """The server would refuse it on what the workstation knows."""
    short_by: int = 0
    """How far (quote units) initial margin would fall short."""
    most: int | None = None
    """The most of the asset that can be withdrawn now (token units)."""


def check_transfer(
    kind: str,
    asset: str,
    amount: int | None,
    catalog: MarketCatalog,
    now: AccountNow | None,
    prices: Mapping[str, MarketPrices],
) -> TransferCheck:
    """Judge a ``kind`` (deposit or withdraw) of ``amount`` token units of ``asset``."""
    spec = catalog.collateral.get(asset)
    if spec is None:
        return TransferCheck(f"{asset} is not a collateral asset", "bad", refused=True)
    if not amount:
        return TransferCheck("", "muted")
    quote = catalog.quote_asset
    try:
        value = asset_value(spec, amount, prices, None)
    except MissingPrice:
        value = None
    worth = f"≈ {amounts.usdc(value)} {quote}" if spec.price_market and value is not None else ""
    if kind == "deposit":
        return TransferCheck(worth, "muted")
    if now is None:
        return TransferCheck("Waiting for the account to load", "warn")
    held = now.account.balance(asset)
    if amount > held:
        text = f"More than the {format_fixed(held, spec.precision)} {asset} held"
        return TransferCheck(text, "bad", refused=True, most=max(0, held))
    try:
        most = max_withdrawal(now.account, catalog, prices, asset, now.reserved)
        after = now.account.copy()
        after.credit(asset, -amount)
        free_after = risk_view(after, catalog, prices).free_collateral - now.reserved
    except MissingPrice:
        return TransferCheck("Prices are not all known yet: the server will judge", "warn")
    most_text = f"at most {format_fixed(most, spec.precision)} {asset} can be withdrawn now"
    if amount > most:
        short = max(0, -free_after)
        text = (
            f"Would leave initial margin short by {amounts.usdc(short)} {quote}; {most_text}"
            if short
            else f"Would breach initial margin; {most_text}"
        )
        return TransferCheck(text, "bad", refused=True, short_by=short, most=most)
    free = f"leaves {amounts.usdc(free_after)} {quote} of free collateral"
    return TransferCheck(" · ".join(t for t in (worth, free) if t), "muted", most=most)
