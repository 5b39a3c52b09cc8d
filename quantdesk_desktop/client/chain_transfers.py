"""Deposits and withdrawals signed by the user's own wallet, when the backend settles on
Solana (``GET /api/chain``): the backend builds the transaction, the wallet signs it once
the user approved it in the signing dialog (shown decoded, under the backend's summary),
and the backend sends it and answers the balances once the chain confirmed it.

A refusal in the dialog raises `SigningRefused` before anything is sent."""

from __future__ import annotations

import base64
import binascii

from solders.transaction import Transaction

from quantdesk_desktop.client.rest import ApiError, RestClient
from quantdesk_desktop.client.wallet import Wallet
from quantdesk_desktop.wallet.transactions import UnreadableTransaction, sign_transaction

SUBMIT_TIMEOUT_S = 90.0
"""How long a submission may wait for the chain's confirmation (the backend gives up
sooner and says the transfer is not final yet)."""


class ChainTransfers:
    """The chain flow of the Portfolio panel's deposit and withdraw."""

    def __init__(self, rest: RestClient, wallet: Wallet) -> None:
        self.rest = rest
        self.wallet = wallet
        self.settlement: str | None = None
        """``local`` or ``solana`` once asked (None: not yet)."""

    async def on_chain(self) -> bool:
        """Whether the backend settles on Solana (asked once; a backend without the
        route settles locally)."""
        if self.settlement is None:
            try:
                answer = await self.rest.chain()
            except ApiError as error:
                if error.status != 404:
                    raise
                answer = {"settlement": "local"}
            self.settlement = answer.get("settlement", "local")
        return self.settlement == "solana"

    async def transfer(self, kind: str, asset: str, amount_text: str) -> list[dict]:
        """Build, sign (after the user's approval) and submit a transfer; the balances
        after it. `ApiError` for the backend's refusals, `SigningRefused` when the user
        said no (nothing was sent)."""
        built = await self.rest.chain_transfer(kind, asset, amount_text)
        try:
            unsigned = Transaction.from_bytes(base64.b64decode(built["transaction"]))
        except (KeyError, ValueError, binascii.Error):
            raise UnreadableTransaction(
                "the backend's transaction cannot be read; nothing was signed or sent"
            ) from None
        signed = await sign_transaction(self.wallet, unsigned, built["summary"])
        wire = base64.b64encode(bytes(signed)).decode()
        done = await self.rest.submit_chain_transfer(wire, SUBMIT_TIMEOUT_S)
        return done["balances"]
