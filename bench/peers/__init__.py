"""Runners that execute a benchmark workload on a peer library in the peer's own env."""
