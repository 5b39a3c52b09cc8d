"""Benchmarks that print our figures beside a peer's, as JSON lines."""
