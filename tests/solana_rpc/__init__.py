"""A local Solana JSON-RPC node for the tests: real execution in LiteSVM, answers in the
recorded wire shapes, and switches for the faults a real cluster has."""
