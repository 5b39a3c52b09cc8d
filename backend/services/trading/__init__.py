"""Trading: the command log, the deterministic trading state, and its durable service."""
