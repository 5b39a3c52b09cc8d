"""Collateral moves for real in the SPL Token program (run by LiteSVM behind the local
node, reached through the RPC client and the sender): a USDC-like mint, the user's token
account, a vault whose authority is the program's PDA, deposits into it and withdrawals
out of a vault."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account
from spl.token.constants import ACCOUNT_LEN, TOKEN_PROGRAM_ID
from spl.token.instructions import (
    InitializeAccountParams,
    MintToCheckedParams,
    TransferCheckedParams,
    create_associated_token_account,
    get_associated_token_address,
    initialize_account,
    mint_to_checked,
    transfer_checked,
)

from backend.services.solana.errors import AccountDecodeError, SimulationFailed
from backend.services.solana.rpc import SolanaRpc
from backend.services.solana.sender import TransactionSender
from backend.services.solana.token_accounts import decode_mint, decode_token_account
from backend.settings import BackendSettings
from tests.services.solana.onchain import create_mint
from tests.solana_rpc.server import SolanaRpcServer

DECIMALS = 6
USDC = 10**DECIMALS
PROGRAM_ID = Pubkey.from_string(BackendSettings.model_fields["solana_program_id"].default)


@dataclass
class Collateral:
    """A USDC-like mint, a user holding some, and the program's vault for it."""

    mint: Pubkey
    mint_authority: Keypair
    user: Keypair
    user_tokens: Pubkey
    vault: Pubkey
    vault_authority: Pubkey


def vault_authority(mint: Pubkey) -> Pubkey:
    """The program's PDA that owns the vault of ``mint``."""
    address, _bump = Pubkey.find_program_address([b"vault", bytes(mint)], PROGRAM_ID)
    return address


async def create_token_account(
    rpc: SolanaRpc, sender: TransactionSender, payer: Keypair, mint: Pubkey, owner: Pubkey
) -> Pubkey:
    """A token account of ``mint`` whose authority is ``owner`` (any address, a PDA too)."""
    account = Keypair()
    rent = await rpc.rent_exempt_minimum(ACCOUNT_LEN)
    new_account = CreateAccountParams(
        from_pubkey=payer.pubkey(),
        to_pubkey=account.pubkey(),
        lamports=rent,
        space=ACCOUNT_LEN,
        owner=TOKEN_PROGRAM_ID,
    )
    setup = InitializeAccountParams(TOKEN_PROGRAM_ID, account.pubkey(), mint, owner)
    await sender.send([create_account(new_account), initialize_account(setup)], payer, [account])
    return account.pubkey()


async def mint_usdc(
    sender: TransactionSender, payer: Keypair, collateral: Collateral, to: Pubkey, amount: int
) -> None:
    """Mint ``amount`` base units to the token account ``to``."""
    params = MintToCheckedParams(
        TOKEN_PROGRAM_ID,
        collateral.mint,
        to,
        collateral.mint_authority.pubkey(),
        amount,
        DECIMALS,
        [],
    )
    await sender.send([mint_to_checked(params)], payer, [collateral.mint_authority])


def move(source: Pubkey, dest: Pubkey, owner: Pubkey, mint: Pubkey, amount: int):
    """An SPL ``TransferChecked`` of ``amount`` base units, authorised by ``owner``."""
    params = TransferCheckedParams(
        TOKEN_PROGRAM_ID, source, mint, dest, owner, amount, DECIMALS, []
    )
    return transfer_checked(params)


@pytest.fixture
async def collateral(rpc: SolanaRpc, sender: TransactionSender, payer: Keypair) -> Collateral:
    """A USDC-like mint, a user with 1,000 USDC in their associated token account, and the
    program's empty vault."""
    mint_keypair, authority = await create_mint(rpc, sender, payer, DECIMALS)
    mint = mint_keypair.pubkey()
    user = Keypair()
    user_tokens = get_associated_token_address(user.pubkey(), mint)
    await sender.send([create_associated_token_account(payer.pubkey(), user.pubkey(), mint)], payer)
    owner = vault_authority(mint)
    vault = await create_token_account(rpc, sender, payer, mint, owner)
    collateral = Collateral(mint, authority, user, user_tokens, vault, owner)
    await mint_usdc(sender, payer, collateral, user_tokens, 1_000 * USDC)
    return collateral


async def test_a_usdc_like_mint_and_its_accounts_are_created_on_chain(
    rpc: SolanaRpc, collateral: Collateral
) -> None:
    mint = decode_mint(await rpc.account(collateral.mint, "confirmed"))
    user, vault = (
        decode_token_account(account)
        for account in await rpc.accounts([collateral.user_tokens, collateral.vault], "confirmed")
    )

    assert (mint.decimals, mint.supply) == (DECIMALS, 1_000 * USDC)
    assert mint.mint_authority == collateral.mint_authority.pubkey()
    assert mint.freeze_authority is None
    assert (user.mint, user.owner, user.amount) == (
        collateral.mint,
        collateral.user.pubkey(),
        1_000 * USDC,
    )
    assert (vault.mint, vault.owner, vault.amount) == (
        collateral.mint,
        collateral.vault_authority,
        0,
    )
    assert vault.state == "initialized" and vault.delegate is None
    assert not collateral.vault_authority.is_on_curve()  # a PDA: only the program can sign


async def test_a_deposit_moves_usdc_from_the_user_into_the_program_vault(
    node: SolanaRpcServer,
    rpc: SolanaRpc,
    sender: TransactionSender,
    payer: Keypair,
    collateral: Collateral,
) -> None:
    # What the program's deposit does by CPI: the user signs a transfer into the vault.
    deposit = move(
        collateral.user_tokens,
        collateral.vault,
        collateral.user.pubkey(),
        collateral.mint,
        250 * USDC,
    )
    result = await sender.send([deposit], payer, [collateral.user])

    user = decode_token_account(await rpc.account(collateral.user_tokens, "confirmed"))
    vault = decode_token_account(await rpc.account(collateral.vault, "confirmed"))
    assert (user.amount, vault.amount) == (750 * USDC, 250 * USDC)
    assert node.cluster.executed.count(result.signature) == 1


async def test_a_deposit_beyond_the_balance_fails_in_simulation_and_moves_nothing(
    node: SolanaRpcServer,
    rpc: SolanaRpc,
    sender: TransactionSender,
    payer: Keypair,
    collateral: Collateral,
) -> None:
    sends = len(node.cluster.sends)
    deposit = move(
        collateral.user_tokens,
        collateral.vault,
        collateral.user.pubkey(),
        collateral.mint,
        1_001 * USDC,
    )

    with pytest.raises(SimulationFailed) as failure:
        await sender.send([deposit], payer, [collateral.user])

    assert failure.value.custom_code == 1  # spl-token's InsufficientFunds
    assert "Program log: Error: insufficient funds" in failure.value.logs
    assert len(node.cluster.sends) == sends
    user = decode_token_account(await rpc.account(collateral.user_tokens, "confirmed"))
    assert user.amount == 1_000 * USDC


async def test_a_withdrawal_moves_usdc_from_a_vault_back_to_the_user(
    node: SolanaRpcServer,
    rpc: SolanaRpc,
    sender: TransactionSender,
    payer: Keypair,
    collateral: Collateral,
) -> None:
    """The program's vault is owned by its PDA, and only the program can sign for it (by
    ``invoke_signed``); the program cannot run in LiteSVM here (no SBF toolchain to build
    it), so this withdrawal is from a vault whose authority is a keypair the test holds.
    The token movement is the same SPL ``TransferChecked`` the program's CPI makes; the
    program's own checks (margin, the PDA's seeds) are tested on the Rust side."""
    custodian = Keypair()
    vault = await create_token_account(rpc, sender, payer, collateral.mint, custodian.pubkey())
    deposit = move(
        collateral.user_tokens, vault, collateral.user.pubkey(), collateral.mint, 400 * USDC
    )
    await sender.send([deposit], payer, [collateral.user])

    withdrawal = move(
        vault, collateral.user_tokens, custodian.pubkey(), collateral.mint, 150 * USDC
    )
    result = await sender.send([withdrawal], payer, [custodian])

    user, held = (
        decode_token_account(a)
        for a in await rpc.accounts([collateral.user_tokens, vault], "confirmed")
    )
    assert (user.amount, held.amount) == (750 * USDC, 250 * USDC)
    assert node.cluster.executed.count(result.signature) == 1


async def test_a_withdrawal_the_vault_authority_did_not_sign_cannot_be_built(
    rpc: SolanaRpc, sender: TransactionSender, payer: Keypair, collateral: Collateral
) -> None:
    theft = move(
        collateral.vault, collateral.user_tokens, collateral.vault_authority, collateral.mint, 1
    )
    with pytest.raises(ValueError, match=f"needs signatures from {collateral.vault_authority}"):
        await sender.send([theft], payer, [collateral.user])


async def test_accounts_that_are_not_what_was_asked_for_are_refused_clearly(
    rpc: SolanaRpc, payer: Keypair, collateral: Collateral
) -> None:
    mint_account = await rpc.account(collateral.mint, "confirmed")
    with pytest.raises(AccountDecodeError, match="is not a token account: 82 bytes, not 165"):
        decode_token_account(mint_account)
    with pytest.raises(AccountDecodeError, match="belongs to 11111111111111111111111111111111"):
        decode_mint(await rpc.account(payer.pubkey(), "confirmed"))
    with pytest.raises(AccountDecodeError, match="there is no token account"):
        decode_token_account(await rpc.account(Keypair().pubkey(), "confirmed"))
