"""On-chain settlement: how this server settles, and deposits and withdrawals signed by
the user's wallet (``solana`` mode): build the transaction, then submit it signed.

The Solana client is loaded only in ``solana`` mode (`GatewayContext.chain`), so this
module imports none of it."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit, urlunsplit

from fastapi import APIRouter, Depends

from backend.domain.fixed_point import format_fixed
from backend.gateway.deps import (
    PRIVATE_LIMIT,
    PUBLIC_LIMIT,
    ContextDep,
    CurrentUser,
    TradingDep,
)
from backend.gateway.errors import ERROR_RESPONSES
from backend.gateway.views import balances
from backend.schemas.chain import (
    ChainAssetOut,
    ChainOut,
    ChainTransferBody,
    ChainTransferOut,
    SignedTransferBody,
    UnsignedTransferOut,
)
from backend.services.solana.transfer_errors import SettlementOff

if TYPE_CHECKING:
    from backend.services.solana.transfers import ChainTransfers

router = APIRouter(prefix="/api/chain", tags=["chain"], responses=ERROR_RESPONSES)


async def _chain(context: ContextDep) -> ChainTransfers:
    if context.chain is None:
        raise SettlementOff()
    return context.chain


ChainDep = Annotated["ChainTransfers", Depends(_chain)]


def public_url(url: str) -> str:
    """``url`` without what may carry a credential (user info, query, fragment)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@router.get("", dependencies=PUBLIC_LIMIT)
async def chain_settlement(context: ContextDep) -> ChainOut:
    """How this server settles; in ``solana`` mode the program, the RPC endpoint (without
    credentials) and the collateral assets listed on chain."""
    if context.chain is None:
        return ChainOut(settlement="local")
    setup = await context.chain.setup()
    return ChainOut(
        settlement="solana",
        program_id=str(setup.program_id),
        rpc_url=public_url(setup.rpc_url),
        commitment=setup.commitment,
        assets=[
            ChainAssetOut(
                symbol=a.symbol,
                asset_index=a.index,
                mint=str(a.mint),
                vault=str(a.vault),
                decimals=a.decimals,
            )
            for a in setup.assets
        ],
    )


@router.post("/transfers", dependencies=PRIVATE_LIMIT)
async def build_transfer(
    body: ChainTransferBody, user: CurrentUser, chain: ChainDep, _: TradingDep
) -> UnsignedTransferOut:
    """The unsigned transaction that deposits or withdraws for the signed-in wallet (which
    pays its fee): opening its trading account first when a deposit needs it, its token
    account when a withdrawal needs it. Refused before signing when the wallet holds too
    little, the local margin would not hold, or the chain's simulation refuses it."""
    built = await chain.build(user, body.kind, body.asset, body.amount)
    return UnsignedTransferOut(
        transaction=base64.b64encode(built.transaction).decode(),
        summary=built.summary,
        last_valid_block_height=built.last_valid_block_height,
    )


@router.post("/transfers/submit", dependencies=PRIVATE_LIMIT)
async def submit_transfer(
    body: SignedTransferBody, user: CurrentUser, chain: ChainDep, trading: TradingDep
) -> ChainTransferOut:
    """Send a transaction from `/api/chain/transfers` signed by the wallet, and once the
    chain confirms it, apply it to the account. Anything but such a transaction for this
    wallet is refused unsent; the same transaction submitted again is applied once."""
    done = await chain.submit(user, body.transaction)
    precision = trading.state.catalog.asset(done.asset).precision
    return ChainTransferOut(
        signature=done.signature,
        kind=done.kind,  # type: ignore[arg-type]  (only deposits and withdrawals are built)
        asset=done.asset,
        amount=format_fixed(done.amount, precision),
        slot=done.slot,
        repeated=done.repeated,
        balances=balances(trading.state, user),
    )
