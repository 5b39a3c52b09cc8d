"""Replays a shared vector scenario against the Python domain and reports the state.

A scenario (see `README.md`) is a catalog and a list of steps; after each step the state
of the ledger (every account's balances, positions, risk figures and liquidation prices;
the insurance fund, fees and funding indexes) and the step's own outcome are reported as
plain JSON values. The generator writes them into the vector files; the pytest runner
and `cargo test` (programs/quantdesk_perp/tests/vectors.rs) replay the same steps and
compare, so the two implementations cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.domain.errors import AccountRejected
from backend.domain.fills import Fill, fee_for
from backend.domain.fixed_point import quote_value_floor
from backend.domain.funding import funding_rate, index_delta
from backend.domain.ledger import Ledger
from backend.domain.liquidation import LiquidationResult
from backend.domain.margin import MarketPrices, liquidation_price, max_withdrawal, risk_view
from backend.domain.markets import CollateralAsset, MarketCatalog, MarketSpec
from backend.domain.orders import Side

Json = dict[str, Any]


def catalog_json(catalog: MarketCatalog) -> Json:
    """The parts of a catalog that settlement reads, as integers."""
    return {
        "quote_asset": catalog.quote_asset,
        "markets": [
            {
                "symbol": spec.symbol,
                "index": spec.market_index,
                "lot_size": spec.lot_size,
                "initial_margin_ratio": spec.initial_margin_ratio,
                "maintenance_margin_ratio": spec.maintenance_margin_ratio,
                "maker_fee": spec.maker_fee,
                "taker_fee": spec.taker_fee,
                "liquidation_fee": spec.liquidation_fee,
                "liquidator_fee_share": spec.liquidator_fee_share,
                "max_funding_rate": spec.max_funding_rate,
            }
            for spec in catalog
        ],
        "assets": [
            {
                "symbol": asset.symbol,
                "index": asset.asset_index,
                "decimals": asset.decimals,
                "initial_weight": asset.initial_weight,
                "maintenance_weight": asset.maintenance_weight,
                "price_market": asset.price_market,
            }
            for asset in catalog.collateral.values()
        ],
    }


def catalog_from_json(data: Mapping[str, Any]) -> MarketCatalog:
    """A catalog from its vector form (fields settlement does not read get neutral values)."""
    markets = {}
    for raw in data["markets"]:
        markets[raw["symbol"]] = MarketSpec(
            symbol=raw["symbol"],
            base_asset=raw["symbol"].split("-")[0],
            tick_size=1,
            lot_size=raw["lot_size"],
            min_size=raw["lot_size"],
            max_leverage=1,
            initial_margin_ratio=raw["initial_margin_ratio"],
            maintenance_margin_ratio=raw["maintenance_margin_ratio"],
            maker_fee=raw["maker_fee"],
            taker_fee=raw["taker_fee"],
            liquidation_fee=raw["liquidation_fee"],
            liquidator_fee_share=raw["liquidator_fee_share"],
            funding_period_s=3600,
            max_funding_rate=raw["max_funding_rate"],
            auction_threshold=0,
            auction_duration_ms=1,
            auction_start_offset=0,
            max_oracle_age_s=1,
            pyth_feed_id="0" * 64,
            coingecko_id="",
            reference_price=1,
            market_index=raw["index"],
        )
    collateral = {
        raw["symbol"]: CollateralAsset(
            symbol=raw["symbol"],
            decimals=raw["decimals"],
            initial_weight=raw["initial_weight"],
            maintenance_weight=raw["maintenance_weight"],
            price_market=raw["price_market"],
            asset_index=raw["index"],
        )
        for raw in data["assets"]
    }
    return MarketCatalog(markets, collateral, data["quote_asset"])


class ScenarioRun:
    """One scenario's ledger and prices, advanced step by step."""

    def __init__(self, catalog: MarketCatalog) -> None:
        self.catalog = catalog
        self.ledger = Ledger(catalog)
        self.prices: dict[str, MarketPrices] = {}

    def step(self, step: Mapping[str, Any]) -> Json:
        """Apply one step; returns its outcome (what the step itself reports)."""
        op = step["op"]
        handler = getattr(self, f"_{op}", None)
        if handler is None:
            raise ValueError(f"unknown step {op!r}")
        return handler(step)

    def _prices(self, step: Mapping[str, Any]) -> Json:
        for market, both in step["prices"].items():
            self.prices[market] = MarketPrices(both["mark"], both["oracle"])
        return {}

    def _deposit(self, step: Mapping[str, Any]) -> Json:
        self.ledger.deposit(step["account"], step["asset"], step["amount"])
        return {}

    def _withdraw(self, step: Mapping[str, Any]) -> Json:
        account = self.ledger.account(step["account"])
        allowed = max_withdrawal(account, self.catalog, self.prices, step["asset"])
        try:
            self.ledger.withdraw(step["account"], step["asset"], step["amount"], self.prices)
        except AccountRejected as error:
            return {"max_withdrawal": allowed, "error": error.code.value}
        return {"max_withdrawal": allowed, "error": None}

    def _fill(self, step: Mapping[str, Any]) -> Json:
        spec = self.catalog.market(step["market"])
        notional = quote_value_floor(step["price"], step["size"])
        maker_fee, taker_fee = fee_for(notional, spec.maker_fee), fee_for(notional, spec.taker_fee)
        fill = Fill(
            market=step["market"],
            price=step["price"],
            size=step["size"],
            taker_side=Side(step["taker_side"]),
            maker_order_id=0,
            taker_order_id=0,
            maker_account=step["maker"],
            taker_account=step["taker"],
            maker_fee=maker_fee,
            taker_fee=taker_fee,
        )
        settled = self.ledger.apply_fill(fill)
        return {
            "maker_fee": maker_fee,
            "taker_fee": taker_fee,
            "taker_realised": settled.taker_realised,
            "maker_realised": settled.maker_realised,
            "dust": settled.dust,
        }

    def _funding(self, step: Mapping[str, Any]) -> Json:
        spec = self.catalog.market(step["market"])
        rate = funding_rate(
            step["mark_twap"], step["oracle_twap"], step["period_s"], spec.max_funding_rate
        )
        delta = index_delta(rate, step["oracle_twap"])
        payments = self.ledger.settle_funding(step["market"], delta)
        return {"rate": rate, "index_delta": delta, "payments": dict(sorted(payments.items()))}

    def _liquidate(self, step: Mapping[str, Any]) -> Json:
        result = self.ledger.liquidate(step["account"], step["liquidator"], self.prices)
        return liquidation_json(result)

    def state(self) -> Json:
        """Every account's figures and the exchange's balances, at the current prices."""
        accounts = {}
        for account_id, account in self.ledger.accounts.items():
            open_markets = [p.market for p in account.open_positions()]
            view = risk_view(account, self.catalog, self.prices)
            accounts[account_id] = {
                "balances": {k: v for k, v in sorted(account.balances.items()) if v},
                "positions": {
                    p.market: {
                        "base": p.base,
                        "quote_entry": p.quote_entry,
                        "last_funding_index": p.last_funding_index,
                    }
                    for p in sorted(account.positions.values(), key=lambda p: p.market)
                    if p.base or p.quote_entry
                },
                "risk": {
                    "collateral_initial": view.collateral_initial,
                    "collateral_maintenance": view.collateral_maintenance,
                    "unrealised_pnl": view.unrealised_pnl,
                    "initial_requirement": view.initial_requirement,
                    "maintenance_requirement": view.maintenance_requirement,
                    "free_collateral": view.free_collateral,
                    "equity": view.equity,
                    "notional": view.notional,
                    "leverage": view.leverage,
                    "health": view.health,
                    "liquidatable": view.liquidatable,
                },
                "liquidation_prices": {
                    market: liquidation_price(account, self.catalog, self.prices, market)
                    for market in sorted(open_markets)
                },
            }
        return {
            "accounts": accounts,
            "insurance_fund": self.ledger.insurance_fund,
            "fees_collected": self.ledger.fees_collected,
            "funding_index": dict(sorted(self.ledger.funding_index.items())),
        }


def liquidation_json(result: LiquidationResult) -> Json:
    """A liquidation's outcome as plain values."""
    return {
        "closed": [
            {
                "market": c.market,
                "base": c.base,
                "price": c.price,
                "fee": c.fee,
                "liquidator_fee": c.liquidator_fee,
                "insurance_fee": c.insurance_fee,
                "realised": c.realised,
                "liquidator_realised": c.liquidator_realised,
            }
            for c in result.closed
        ],
        "insurance_draw": result.insurance_draw,
        "socialised_loss": result.socialised_loss,
        "socialised_market": result.socialised_market,
        "healthy_after": result.healthy_after,
        "flat_after": result.flat_after,
        "bad_debt": result.bad_debt,
    }


def replay(scenario: Mapping[str, Any]) -> list[Json]:
    """Each step's outcome and the state after it: ``[{"outcome", "state"}, ...]``."""
    run = ScenarioRun(catalog_from_json(scenario["catalog"]))
    results = []
    for step in scenario["steps"]:
        outcome = run.step(step)
        results.append({"outcome": outcome, "state": run.state()})
    return results
