"""QuantDesk backend: the trading core (`domain`), services, store and gateway."""
