"""The Solana JSON-RPC methods QuantDesk uses, over solana-py's async client, with its
failures turned into ``RpcUnavailable`` / ``RpcResponseError`` sentences."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Self, TypeVar

from solana.exceptions import SolanaRpcException
from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Commitment as RpcCommitment
from solana.rpc.core import RPCException, RPCNoResultException
from solana.rpc.types import TxOpts
from solders.account import Account
from solders.errors import SerdeJSONError
from solders.pubkey import Pubkey
from solders.rpc.responses import RpcSimulateTransactionResult
from solders.signature import Signature
from solders.transaction import Transaction, VersionedTransaction

from backend.services.solana.blockhash import RecentBlockhash
from backend.services.solana.errors import RpcResponseError, RpcUnavailable
from backend.services.solana.pending import Commitment
from backend.services.solana.settings_checks import check_rpc_url

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SimulationOutcome:
    """What a simulation found."""

    error: object | None
    """None on success; else the runtime's error in its JSON form."""
    logs: list[str]
    units_consumed: int | None


@dataclass(frozen=True, slots=True)
class SignatureState:
    """A transaction the cluster knows: where it landed and how settled it is."""

    slot: int
    error: object | None
    """None if it succeeded; else the runtime's error in its JSON form."""
    commitment: Commitment | None


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """An account as the RPC gives it."""

    address: Pubkey
    lamports: int
    owner: Pubkey
    data: bytes
    executable: bool


@dataclass(frozen=True, slots=True)
class SendFailure:
    """The node refused a transaction before broadcasting it (a JSON-RPC error)."""

    message: str
    error: object | None
    """The preflight's runtime error, when the node simulated it."""
    logs: list[str]


class SolanaRpc:
    """One Solana RPC endpoint. ``async with SolanaRpc(url) as rpc:`` closes it after."""

    def __init__(self, url: str, *, timeout_s: float = 10.0) -> None:
        self.url = check_rpc_url(url)
        self.client = AsyncClient(self.url, timeout=timeout_s)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self.client.close()

    async def latest_blockhash(self, commitment: Commitment) -> RecentBlockhash:
        """A recent blockhash and the last block height at which it is valid."""
        resp = await self._call(
            "getLatestBlockhash", self.client.get_latest_blockhash(_c(commitment))
        )
        return RecentBlockhash(resp.value.blockhash, resp.value.last_valid_block_height)

    async def block_height(self, commitment: Commitment) -> int:
        """The current block height."""
        return (
            await self._call("getBlockHeight", self.client.get_block_height(_c(commitment)))
        ).value

    async def slot(self, commitment: Commitment) -> int:
        """The current slot."""
        return (await self._call("getSlot", self.client.get_slot(_c(commitment)))).value

    async def simulate(
        self, transaction: Transaction | VersionedTransaction, commitment: Commitment
    ) -> SimulationOutcome:
        """Run the transaction against the current state without sending it."""
        resp = await self._call(
            "simulateTransaction",
            self.client.simulate_transaction(transaction, False, _c(commitment)),
        )
        value = resp.value
        return SimulationOutcome(
            error_json(value.err), list(value.logs or []), value.units_consumed
        )

    async def send_raw(self, wire: bytes) -> Signature | SendFailure:
        """Broadcast a signed transaction once: no preflight (it was simulated) and no
        retries by the node (the sender decides). A node's refusal is returned, not raised."""
        opts = TxOpts(skip_preflight=True, skip_confirmation=True, max_retries=0)
        try:
            resp = await self._call("sendTransaction", self.client.send_raw_transaction(wire, opts))
        except _Refused as refused:
            return refused.failure
        return resp.value

    async def signature_status(self, signature: Signature | str) -> SignatureState | None:
        """What the cluster knows of a transaction; None if it knows nothing (yet)."""
        sig = signature if isinstance(signature, Signature) else Signature.from_string(signature)
        resp = await self._call(
            "getSignatureStatuses", self.client.get_signature_statuses([sig], True)
        )
        if len(resp.value) != 1:
            raise RpcResponseError(
                f"the Solana RPC at {self.url} answered getSignatureStatuses with "
                f"{len(resp.value)} statuses for 1 signature"
            )
        status = resp.value[0]
        if status is None:
            return None
        level = status.confirmation_status
        return SignatureState(
            status.slot, error_json(status.err), _commitment_name(level) if level else None
        )

    async def account(self, address: Pubkey, commitment: Commitment) -> AccountInfo | None:
        """An account, or None if it does not exist."""
        resp = await self._call(
            "getAccountInfo", self.client.get_account_info(address, _c(commitment))
        )
        return _account(address, resp.value)

    async def accounts(
        self, addresses: Sequence[Pubkey], commitment: Commitment
    ) -> list[AccountInfo | None]:
        """Several accounts in one request, in order (None where one does not exist)."""
        resp = await self._call(
            "getMultipleAccounts",
            self.client.get_multiple_accounts(list(addresses), _c(commitment)),
        )
        if len(resp.value) != len(addresses):
            raise RpcResponseError(
                f"the Solana RPC at {self.url} answered getMultipleAccounts with "
                f"{len(resp.value)} accounts for {len(addresses)} addresses"
            )
        return [_account(a, v) for a, v in zip(addresses, resp.value, strict=True)]

    async def balance(self, address: Pubkey, commitment: Commitment) -> int:
        """An account's lamports (0 if it does not exist)."""
        return (
            await self._call("getBalance", self.client.get_balance(address, _c(commitment)))
        ).value

    async def rent_exempt_minimum(self, size: int) -> int:
        """The lamports an account of ``size`` bytes needs to be rent exempt."""
        resp = await self._call(
            "getMinimumBalanceForRentExemption",
            self.client.get_minimum_balance_for_rent_exemption(size),
        )
        return resp.value

    async def request_airdrop(self, address: Pubkey, lamports: int) -> Signature:
        """Ask a test cluster's faucet for lamports; the airdrop transaction's signature."""
        resp = await self._call("requestAirdrop", self.client.request_airdrop(address, lamports))
        return resp.value

    async def version(self) -> str:
        """The node's software version."""
        return (await self._call("getVersion", self.client.get_version())).value.solana_core

    async def _call(self, method: str, request: Awaitable[T]) -> T:
        """Await one request, turning solana-py's and solders' failures into ours."""
        try:
            return await request
        except SolanaRpcException as error:
            raise RpcUnavailable(
                f"the Solana RPC at {self.url} did not answer {method}: {_http_cause(error)}"
            ) from error
        except RPCException as error:
            answer = error.args[0] if error.args else error
            message = _rpc_error_message(answer)
            if method == "sendTransaction":
                raise _Refused(_send_failure(message, answer)) from error
            raise RpcResponseError(
                f"the Solana RPC at {self.url} refused {method}: {message}"
            ) from error
        except RPCNoResultException as error:
            raise RpcResponseError(
                f"the Solana RPC at {self.url} gave no result for {method}: {error}"
            ) from error
        except SerdeJSONError as error:
            raise RpcResponseError(
                f"the Solana RPC at {self.url} answered {method} with something that is not "
                f"a {method} response ({error})"
            ) from error


class _Refused(Exception):
    """Carries a sendTransaction refusal out of ``_call``."""

    def __init__(self, failure: SendFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def error_json(error: object | None) -> object | None:
    """A solders transaction error in the JSON form the RPC wire uses (None stays None)."""
    if error is None:
        return None
    wrapper = RpcSimulateTransactionResult(err=error)  # type: ignore[arg-type]
    return json.loads(wrapper.to_json())["err"]


def _rpc_error_message(answer: object) -> str:
    """A JSON-RPC error's message; errors solders knows only by name (codes without a
    message field it keeps) are spelled out: ``transaction signature verification failure``."""
    message = getattr(answer, "message", None)
    if isinstance(message, str) and message:
        return message
    name = str(answer).rsplit(".", 1)[-1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()


def _send_failure(message: str, answer: object) -> SendFailure:
    data = getattr(answer, "data", None)
    err = getattr(data, "err", None)
    logs = getattr(data, "logs", None)
    return SendFailure(message, error_json(err), list(logs or []))


def _account(address: Pubkey, value: Account | None) -> AccountInfo | None:
    if value is None:
        return None
    return AccountInfo(address, value.lamports, value.owner, bytes(value.data), value.executable)


def _c(commitment: Commitment) -> RpcCommitment:
    return RpcCommitment(commitment)


def _commitment_name(level: object) -> Commitment:
    name = str(level).rsplit(".", 1)[-1].lower()
    if name not in ("processed", "confirmed", "finalized"):
        raise RpcResponseError(f"unknown confirmation status {level!r}")
    return name  # type: ignore[return-value]


def _http_cause(error: SolanaRpcException) -> str:
    cause = error.__cause__
    status = getattr(getattr(cause, "response", None), "status_code", None)
    if status is not None:
        return f"HTTP {status}"
    if cause is None:
        return error.error_msg
    return f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__
