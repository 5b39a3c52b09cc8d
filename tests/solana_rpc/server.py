"""The local Solana JSON-RPC node: the methods QuantDesk's client calls, answered over
HTTP on loopback in the recorded wire shapes, backed by ``LocalCluster``."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable

from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import VersionedTransaction
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.loopback_server import LoopbackServer
from tests.solana_rpc.cluster import API_VERSION, FEATURE_SET, LocalCluster
from tests.solana_rpc.recorded import ShapeMismatch, error_answer, recorded, result_answer


class InvalidParams(ValueError):
    """A call's params are not what the method takes (JSON-RPC -32602)."""


class RpcMethods:
    """The JSON-RPC methods, each answering one call's params."""

    def __init__(self, cluster: LocalCluster) -> None:
        self.cluster = cluster
        self.table: dict[str, Callable[[list, object], dict]] = {
            "getLatestBlockhash": self.get_latest_blockhash,
            "getBlockHeight": self.get_block_height,
            "getSlot": self.get_slot,
            "getVersion": self.get_version,
            "getBalance": self.get_balance,
            "getMinimumBalanceForRentExemption": self.get_minimum_balance,
            "requestAirdrop": self.request_airdrop,
            "getAccountInfo": self.get_account_info,
            "getMultipleAccounts": self.get_multiple_accounts,
            "simulateTransaction": self.simulate_transaction,
            "sendTransaction": self.send_transaction,
            "getSignatureStatuses": self.get_signature_statuses,
        }

    def answer(self, call: object) -> dict:
        """The answer to one JSON-RPC call object."""
        if not isinstance(call, dict) or call.get("jsonrpc") != "2.0" or "method" not in call:
            return error_answer(
                "invalid_request", call.get("id") if isinstance(call, dict) else None
            )
        request_id = call.get("id")
        handler = self.table.get(call["method"])
        if handler is None:
            return error_answer("method_not_found", request_id)
        params = call.get("params", [])
        if not isinstance(params, list):
            return error_answer("invalid_params", request_id, message="Invalid params")
        self.cluster.tick()
        try:
            return handler(params, request_id)
        except InvalidParams as error:
            return error_answer("invalid_params", request_id, message=f"Invalid params: {error}")

    def _context(self, config: dict) -> dict:
        return {"apiVersion": API_VERSION, "slot": self.cluster.slot_at(_commitment(config))}

    def get_latest_blockhash(self, params: list, request_id: object) -> dict:
        config = _config(params, 0)
        blockhash, last_valid = self.cluster.latest_blockhash(_commitment(config))
        value = {"blockhash": str(blockhash), "lastValidBlockHeight": last_valid}
        self.cluster.record_call("getLatestBlockhash", value)
        return result_answer(
            "getLatestBlockhash", {"context": self._context(config), "value": value}, request_id
        )

    def get_block_height(self, params: list, request_id: object) -> dict:
        height = self.cluster.height_at(_commitment(_config(params, 0)))
        self.cluster.record_call("getBlockHeight", height)
        return result_answer("getBlockHeight", height, request_id)

    def get_slot(self, params: list, request_id: object) -> dict:
        return result_answer(
            "getSlot", self.cluster.slot_at(_commitment(_config(params, 0))), request_id
        )

    def get_version(self, _params: list, request_id: object) -> dict:
        return result_answer(
            "getVersion", {"feature-set": FEATURE_SET, "solana-core": API_VERSION}, request_id
        )

    def get_balance(self, params: list, request_id: object) -> dict:
        address = _pubkey(_arg(params, 0))
        config = _config(params, 1)
        lamports = self.cluster.svm.get_balance(address) or 0
        return result_answer(
            "getBalance", {"context": self._context(config), "value": lamports}, request_id
        )

    def get_minimum_balance(self, params: list, request_id: object) -> dict:
        size = _arg(params, 0)
        if not isinstance(size, int) or size < 0:
            raise InvalidParams(f"invalid type: {json.dumps(size)}, expected usize")
        lamports = self.cluster.svm.minimum_balance_for_rent_exemption(size)
        return result_answer("getMinimumBalanceForRentExemption", lamports, request_id)

    def request_airdrop(self, params: list, request_id: object) -> dict:
        address = _pubkey(_arg(params, 0))
        lamports = _arg(params, 1)
        if not isinstance(lamports, int) or lamports <= 0:
            raise InvalidParams(f"invalid lamports {json.dumps(lamports)}")
        signature = self.cluster.airdrop(address, lamports)
        self.cluster.record_call("requestAirdrop", signature)
        return result_answer("requestAirdrop", signature, request_id)

    def get_account_info(self, params: list, request_id: object) -> dict:
        address = _pubkey(_arg(params, 0))
        config = _config(params, 1)
        _require_base64(config)
        value = self.cluster.account(address)
        fixture = "getAccountInfo" if value is not None else "getAccountInfo_missing"
        return result_answer(
            fixture, {"context": self._context(config), "value": value}, request_id
        )

    def get_multiple_accounts(self, params: list, request_id: object) -> dict:
        addresses = _arg(params, 0)
        if not isinstance(addresses, list):
            raise InvalidParams("expected an array of addresses")
        config = _config(params, 1)
        _require_base64(config)
        value = [self.cluster.account(_pubkey(a)) for a in addresses]
        return result_answer(
            "getMultipleAccounts", {"context": self._context(config), "value": value}, request_id
        )

    def simulate_transaction(self, params: list, request_id: object) -> dict:
        config = _config(params, 1)
        tx = _transaction(_arg(params, 0), config)
        faults = self.cluster.faults
        if faults.take("fail_simulations"):
            self.cluster.simulations.append(str(tx.signatures[0]))
            value = recorded("simulateTransaction_error")["result"]["value"]
        elif faults.take("blockhash_not_found_simulations"):
            self.cluster.simulations.append(str(tx.signatures[0]))
            value = recorded("simulateTransaction_blockhash_not_found")["result"]["value"]
        else:
            value = self.cluster.simulate(tx, bool(config.get("sigVerify", False)))
        self.cluster.record_call("simulateTransaction", (str(tx.signatures[0]), value["err"]))
        return result_answer(
            "simulateTransaction", {"context": self._context(config), "value": value}, request_id
        )

    def send_transaction(self, params: list, request_id: object) -> dict:
        config = _config(params, 1)
        tx = _transaction(_arg(params, 0), config)
        signature = str(tx.signatures[0])
        self.cluster.sends.append(signature)
        self.cluster.record_call("sendTransaction", signature)
        if self.cluster.faults.take("blockhash_not_found_sends"):
            return error_answer("sendTransaction_blockhash_not_found", request_id)
        if not config.get("skipPreflight", False):
            preflight = self.cluster.simulate(tx, sig_verify=True)
            if preflight["err"] is not None:
                return error_answer(
                    "sendTransaction_blockhash_not_found",
                    request_id,
                    message=f"Transaction simulation failed: {_describe(preflight['err'])}",
                    data=preflight,
                )
        self.cluster.submit(tx)
        return result_answer("sendTransaction", signature, request_id)

    def get_signature_statuses(self, params: list, request_id: object) -> dict:
        signatures = _arg(params, 0)
        if not isinstance(signatures, list) or len(signatures) > 256:
            raise InvalidParams("expected an array of at most 256 signatures")
        for text in signatures:
            _signature(text)
        value = [self.cluster.status(text) for text in signatures]
        self.cluster.record_call(
            "getSignatureStatuses",
            {
                text: (s["confirmationStatus"] if s else None)
                for text, s in zip(signatures, value, strict=True)
            },
        )
        return result_answer(
            "getSignatureStatuses", {"context": self._context({}), "value": value}, request_id
        )


def solana_rpc_app(cluster: LocalCluster) -> Starlette:
    """The node's HTTP face: JSON-RPC 2.0 on POST /, single calls or batches."""
    methods = RpcMethods(cluster)

    async def rpc(request: Request) -> Response:
        body = await request.body()
        try:
            try:
                payload = json.loads(body)
            except ValueError:
                return JSONResponse(error_answer("parse_error", None))
            method = payload.get("method") if isinstance(payload, dict) else None
            raw = cluster.faults.raw_answer(method) if isinstance(method, str) else None
            if raw is not None:
                cluster.tick()
                cluster.record_call(method, "replaced by a fault switch")
                status, text = raw
                return PlainTextResponse(text, status, media_type="application/json")
            if isinstance(payload, list):
                return JSONResponse([methods.answer(call) for call in payload])
            return JSONResponse(methods.answer(payload))
        except ShapeMismatch as error:
            cluster.problems.append(str(error))
            raise
        finally:
            await cluster.notify()

    async def health(_request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/", rpc, methods=["POST"]), Route("/health", health)])


class SolanaRpcServer:
    """``async with SolanaRpcServer() as node:`` serves a fresh ``LocalCluster`` at
    ``node.url`` until the block ends."""

    def __init__(self, cluster: LocalCluster | None = None) -> None:
        self.cluster = cluster or LocalCluster()
        self.loopback = LoopbackServer(solana_rpc_app(self.cluster))
        self.url = self.loopback.url

    async def __aenter__(self) -> SolanaRpcServer:
        await self.loopback.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.loopback.__aexit__(*exc)


def _arg(params: list, index: int) -> object:
    if index >= len(params):
        raise InvalidParams(f"missing parameter {index}")
    return params[index]


def _config(params: list, index: int) -> dict:
    config = params[index] if index < len(params) else None
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise InvalidParams(f"invalid type: {json.dumps(config)}, expected a config object")
    return config


def _commitment(config: dict) -> str:
    commitment = config.get("commitment") or "finalized"
    if commitment not in ("processed", "confirmed", "finalized"):
        raise InvalidParams(f"unknown commitment {commitment!r}")
    return commitment


def _pubkey(text: object) -> Pubkey:
    if not isinstance(text, str):
        raise InvalidParams(f"invalid type: {json.dumps(text)}, expected a string")
    try:
        return Pubkey.from_string(text)
    except ValueError:
        raise InvalidParams(f"invalid pubkey {text!r}") from None


def _signature(text: object) -> Signature:
    if not isinstance(text, str):
        raise InvalidParams(f"invalid type: {json.dumps(text)}, expected a string")
    try:
        return Signature.from_string(text)
    except ValueError:
        raise InvalidParams(f"invalid signature {text!r}") from None


def _transaction(encoded: object, config: dict) -> VersionedTransaction:
    if config.get("encoding", "base58") != "base64":
        raise InvalidParams("this node reads base64 transactions only")
    if not isinstance(encoded, str):
        raise InvalidParams("expected the transaction as a string")
    try:
        return VersionedTransaction.from_bytes(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        raise InvalidParams("failed to deserialize the transaction") from None


def _require_base64(config: dict) -> None:
    if config.get("encoding", "base64") != "base64":
        raise InvalidParams("this node answers base64 account data only")


def _describe(error: object) -> str:
    return error if isinstance(error, str) else json.dumps(error)
