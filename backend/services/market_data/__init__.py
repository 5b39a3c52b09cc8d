"""Market data read from the store: candles, 24 h statistics, and history pages."""
