"""The program's derived addresses, with the seeds `programs/quantdesk_perp/src/state/` uses."""

from __future__ import annotations

from solders.pubkey import Pubkey

from backend.services.solana.idl import PROGRAM_ID


def config_address(program_id: Pubkey = PROGRAM_ID) -> Pubkey:
    """The config account (``["config"]``)."""
    return Pubkey.find_program_address([b"config"], program_id)[0]


def market_address(index: int, program_id: Pubkey = PROGRAM_ID) -> Pubkey:
    """Market ``index``'s account (``["market", index as u16 little-endian]``)."""
    if not 0 <= index < 2**16:
        raise ValueError(f"a market index is a u16, got {index}")
    return Pubkey.find_program_address([b"market", index.to_bytes(2, "little")], program_id)[0]


def user_address(authority: Pubkey, program_id: Pubkey = PROGRAM_ID) -> Pubkey:
    """The trading account of the wallet ``authority`` (``["user", authority]``)."""
    return Pubkey.find_program_address([b"user", bytes(authority)], program_id)[0]


def vault_address(mint: Pubkey, program_id: Pubkey = PROGRAM_ID) -> Pubkey:
    """The program's token account for ``mint`` (``["vault", mint]``)."""
    return Pubkey.find_program_address([b"vault", bytes(mint)], program_id)[0]
