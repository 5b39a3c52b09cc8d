"""Settlement on Solana: the RPC client, the transaction sender and the keeper's key.

Modules here import solana-py and solders; nothing imports this package unless the
``solana`` settlement mode is chosen, so the embedded default never pays for it.
"""
