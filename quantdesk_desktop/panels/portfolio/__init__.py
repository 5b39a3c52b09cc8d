"""The Portfolio panel: collateral balances, deposit and withdraw with the margin
pre-check, PnL by market and in total, funding payments and the equity curve."""

from quantdesk_desktop.panels.portfolio.panel import PortfolioPanel

__all__ = ["PortfolioPanel"]
