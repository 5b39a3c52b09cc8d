"""Backend services: oracle, orders, risk, funding, liquidity, solana, metrics."""
