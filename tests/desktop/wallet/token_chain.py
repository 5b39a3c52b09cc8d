"""A USDC-like token on solders' LiteSVM (which ships the SPL Token programs): a mint with
6 decimals, a user's token account holding 1,000 and a vault token account owned by a
QuantDesk program address, and the unsigned deposit and withdrawal messages the backend's
solana settlement builds for the user to sign."""

from __future__ import annotations

from solders.compute_budget import set_compute_unit_limit
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import Message
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account
from solders.transaction import Transaction
from spl.token.constants import TOKEN_PROGRAM_ID
from spl.token.instructions import (
    InitializeMintParams,
    MintToCheckedParams,
    TransferCheckedParams,
    create_idempotent_associated_token_account,
    get_associated_token_address,
    initialize_mint,
    mint_to_checked,
    transfer_checked,
)

from quantdesk_desktop.wallet.known_programs import QUANTDESK_PROGRAM

DECIMALS = 6
MINT_SIZE = 82


class TokenChain:
    """LiteSVM with the token set up for ``user``."""

    def __init__(self, user: Pubkey) -> None:
        self.svm = LiteSVM()
        self.authority = Keypair()
        self.mint = Keypair()
        self.user = user
        self.vault_owner = Pubkey.find_program_address([b"vault"], QUANTDESK_PROGRAM)[0]
        self.svm.airdrop(self.authority.pubkey(), 10_000_000_000)
        self.svm.airdrop(user, 1_000_000_000)
        mint = self.mint.pubkey()
        self.user_tokens = get_associated_token_address(user, mint)
        self.vault_tokens = get_associated_token_address(self.vault_owner, mint)
        rent = self.svm.minimum_balance_for_rent_exemption(MINT_SIZE)
        payer = self.authority.pubkey()
        setup = [
            create_account(CreateAccountParams(
                from_pubkey=payer, to_pubkey=mint, lamports=rent, space=MINT_SIZE,
                owner=TOKEN_PROGRAM_ID,
            )),
            initialize_mint(InitializeMintParams(
                decimals=DECIMALS, program_id=TOKEN_PROGRAM_ID, mint=mint, mint_authority=payer,
            )),
            create_idempotent_associated_token_account(payer, user, mint),
            mint_to_checked(MintToCheckedParams(
                program_id=TOKEN_PROGRAM_ID, mint=mint, dest=self.user_tokens,
                mint_authority=payer, amount=1_000 * 10**DECIMALS, decimals=DECIMALS,
            )),
        ]  # fmt: skip
        self.run(Transaction([self.authority, self.mint], Message(setup, payer), self.blockhash))

    @property
    def blockhash(self):
        """The chain's latest blockhash."""
        return self.svm.latest_blockhash()

    def run(self, transaction) -> None:
        """Execute ``transaction``; AssertionError with the chain's logs if it failed."""
        result = self.svm.send_transaction(transaction)
        assert type(result).__name__ == "TransactionMetadata", result

    def balance(self, account: Pubkey) -> int:
        """A token account's amount, in base units."""
        return int.from_bytes(bytes(self.svm.get_account(account).data)[64:72], "little")

    def deposit_instructions(self, amount: int) -> list[Instruction]:
        """What a deposit does: set its compute budget, create the vault's token account
        if missing, and move ``amount`` base units from the user's account to it."""
        mint = self.mint.pubkey()
        return [
            set_compute_unit_limit(200_000),
            create_idempotent_associated_token_account(self.user, self.vault_owner, mint),
            transfer_checked(TransferCheckedParams(
                program_id=TOKEN_PROGRAM_ID, source=self.user_tokens, mint=mint,
                dest=self.vault_tokens, owner=self.user, amount=amount, decimals=DECIMALS,
            )),
        ]  # fmt: skip

    def deposit_message(self, amount: int) -> Message:
        """The unsigned deposit (legacy), the user paying the fee."""
        return Message.new_with_blockhash(
            self.deposit_instructions(amount), self.user, self.blockhash
        )
