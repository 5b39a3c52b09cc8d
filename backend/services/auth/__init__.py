"""Wallet-signature login: Sign-In With Solana messages, single-use nonces, JWT sessions."""
