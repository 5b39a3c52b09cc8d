"""Liquidity: the embedded market makers and JIT auction quoting."""
