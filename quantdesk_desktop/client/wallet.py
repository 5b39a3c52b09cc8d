"""The user's signing key for the client layer: `Wallet` and `load_wallet`.

The key lives in the OS keyring only (`quantdesk_desktop.wallet`); with no usable
keyring it lives in memory for the session, and the log says so.
"""

from __future__ import annotations

from pathlib import Path

from quantdesk_desktop.wallet.gate import SigningGate
from quantdesk_desktop.wallet.keeper import WalletKeeper
from quantdesk_desktop.wallet.key import KeyStorage, Wallet

__all__ = ["KeyStorage", "Wallet", "load_wallet"]


def load_wallet(profile: str, data_dir: Path, gate: SigningGate | None = None) -> Wallet:
    """The profile's key from the keyring, created there if there is none (see
    `WalletKeeper.load`). Its signatures pass ``gate``; by default an unattended one,
    which signs in to backends on this machine and refuses everything else."""
    return WalletKeeper(profile, data_dir, gate=gate).load()
