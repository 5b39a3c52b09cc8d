"""The chart panel: candles, volume, indicators and own trading on one market."""

from quantdesk_desktop.panels.chart.panel import INTERVAL_CHOICES, STUDIES, ChartPanel

__all__ = ["INTERVAL_CHOICES", "STUDIES", "ChartPanel"]
