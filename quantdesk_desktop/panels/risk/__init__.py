"""The Risk panel: health gauge, margin figures, cross-collateral breakdown, liquidation
distances and funding."""

from quantdesk_desktop.panels.risk.panel import RiskPanel

__all__ = ["RiskPanel"]
