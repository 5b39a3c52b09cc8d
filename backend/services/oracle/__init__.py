"""Oracle prices: Pyth Hermes, CoinGecko fallback, the offline simulator, replay."""
