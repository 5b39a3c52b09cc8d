"""The Solana settlement's client side as the settings describe it: the RPC endpoint, the
sender to the configured commitment, the program's address and the keeper's key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from solders.keypair import Keypair
from solders.pubkey import Pubkey

from backend.services.clock import Clock
from backend.services.solana.confirm import SendPolicy
from backend.services.solana.errors import SolanaError
from backend.services.solana.keeper_key import KEYRING_SERVICE, load_keeper_key
from backend.services.solana.rpc import SolanaRpc
from backend.services.solana.sender import TransactionSender
from backend.settings import BackendSettings


@dataclass(frozen=True, slots=True, repr=False)
class SolanaConnection:
    """What the keeper needs to settle on chain. ``repr`` leaves the key out."""

    rpc: SolanaRpc
    sender: TransactionSender
    program_id: Pubkey
    keeper: Keypair

    @classmethod
    def open(
        cls,
        settings: BackendSettings,
        *,
        policy: SendPolicy | None = None,
        clock: Clock | None = None,
        keyring_service: str = KEYRING_SERVICE,
    ) -> Self:
        """Connect as ``settings`` say (``settlement=solana``); ``KeeperKeyError`` if the
        keeper key cannot be loaded, ``SolanaError`` if the mode is not ``solana``."""
        if settings.settlement != "solana" or settings.solana_rpc_url is None:
            raise SolanaError("the settings do not settle on Solana (settlement=local)")
        keeper = load_keeper_key(settings.solana_keeper_key_name, keyring_service)
        rpc = SolanaRpc(settings.solana_rpc_url)
        sender = TransactionSender(
            rpc, commitment=settings.solana_commitment, policy=policy, clock=clock
        )
        return cls(rpc, sender, Pubkey.from_string(settings.solana_program_id), keeper)

    def __repr__(self) -> str:
        return (
            f"SolanaConnection(rpc={self.rpc.url!r}, program_id={self.program_id}, "
            f"keeper={self.keeper.pubkey()})"
        )

    async def close(self) -> None:
        """Close the RPC connections."""
        await self.rpc.close()
