"""Transactions addressed to the QuantDesk program, executed natively against LiteSVM's
accounts: what a leader does around execution (signatures, the fee, account loading,
writing the result back), with the program run by ``native_program``.

A transaction that holds a QuantDesk instruction runs here as a whole (its System and
SPL Token instructions too), all or nothing; every other transaction stays with LiteSVM.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

from solders.account import Account
from solders.address_lookup_table_account import AddressLookupTable
from solders.litesvm import LiteSVM
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.system_program import ID as SYSTEM_PROGRAM_ID
from solders.transaction import VersionedTransaction

from tests.solana_rpc.deployment import UPGRADEABLE_LOADER
from tests.solana_rpc.native_program import PROGRAM_ID, NativeProgram, native_program

FEE_PER_SIGNATURE = 5_000
"""Lamports per signature: the cluster's base fee (LiteSVM charges the same)."""
LOOKUP_TABLE_PROGRAM = Pubkey.from_string("AddressLookupTab1e1111111111111111111111111")
LOOKUP_TABLE_META_SIZE = 56
RESERVED_KEYS = frozenset(
    Pubkey.from_string(key)
    for key in (
        "11111111111111111111111111111111",
        "AddressLookupTab1e1111111111111111111111111",
        "BPFLoader1111111111111111111111111111111111",
        "BPFLoader2111111111111111111111111111111111",
        "BPFLoaderUpgradeab1e11111111111111111111111",
        "ComputeBudget111111111111111111111111111111",
        "Config1111111111111111111111111111111111111",
        "Ed25519SigVerify111111111111111111111111111",
        "Feature111111111111111111111111111111111111",
        "KeccakSecp256k11111111111111111111111111111",
        "LoaderV411111111111111111111111111111111111",
        "NativeLoader1111111111111111111111111111111",
        "Stake11111111111111111111111111111111111111",
        "Vote111111111111111111111111111111111111111",
    )
)
"""Builtin programs the runtime never lets a transaction write (sysvars too, below)."""


@dataclass(frozen=True, slots=True)
class NativeOutcome:
    """What executing a transaction found."""

    error: object | None
    """None on success; else the runtime's error in its RPC JSON form."""
    logs: list[str]
    executed: bool
    """False when the transaction could not execute at all (a bad signature, a fee payer
    that cannot pay): a leader drops it, nothing is charged and it gets no status."""


class _NotExecutable(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def addresses_program(tx: VersionedTransaction, program_id: Pubkey = PROGRAM_ID) -> bool:
    """Whether any instruction of ``tx`` is addressed to ``program_id`` (program ids are
    always static keys, lookup tables cannot supply them)."""
    keys = tx.message.account_keys
    return any(keys[ix.program_id_index] == program_id for ix in tx.message.instructions)


def _empty() -> Account:
    return Account(0, b"", SYSTEM_PROGRAM_ID, False, 0)


class NativeExecutor:
    """Runs transactions addressed to the program with the accounts LiteSVM holds."""

    def __init__(self, svm: LiteSVM, load: Callable[[], NativeProgram] = native_program) -> None:
        self.svm = svm
        self._load = load

    def handles(self, tx: VersionedTransaction) -> bool:
        """Whether ``tx`` must run here rather than in LiteSVM."""
        return addresses_program(tx)

    def execute(
        self, tx: VersionedTransaction, unix_time: int, *, sig_verify: bool, commit: bool
    ) -> NativeOutcome:
        """Run ``tx`` at ``unix_time``. With ``commit``, its result and fee are written to
        LiteSVM's accounts (a failed transaction pays its fee too); without, nothing is."""
        try:
            if sig_verify:
                _verify(tx)
            keys, writable = self._keys(tx.message)
            accounts = {key: self.svm.get_account(key) or _empty() for key in keys}
            charged = _charge_fee(accounts[keys[0]], tx.message.header.num_required_signatures)
        except _NotExecutable as refusal:
            return NativeOutcome(refusal.error, [], executed=False)
        states = {key: charged if key == keys[0] else account for key, account in accounts.items()}
        request = _request(tx.message, keys, writable, states, unix_time)
        answer = self._load().run(request)
        updates = {keys[0]: charged}
        if answer["result"] == "success":
            for text, state in answer["accounts"].items():
                key = Pubkey.from_string(text)
                updates[key] = _account(state, accounts[key].rent_epoch)
        if commit:
            for key, account in updates.items():
                self.svm.set_account(key, account)
        return NativeOutcome(answer.get("error"), answer["logs"], executed=True)

    def _keys(self, message: Message | MessageV0) -> tuple[list[Pubkey], list[bool]]:
        """Every account the message uses (static, then looked up: writable, readonly),
        and whether the transaction may write each."""
        static = list(message.account_keys)
        header = message.header
        signed = header.num_required_signatures
        writable = [
            i < signed - header.num_readonly_signed_accounts
            if i < signed
            else i < len(static) - header.num_readonly_unsigned_accounts
            for i in range(len(static))
        ]
        keys = list(static)
        if isinstance(message, MessageV0):
            tables = [(t, self._lookup_table(t.account_key)) for t in message.address_table_lookups]
            for lookup, table in tables:
                keys += _look_up(table, lookup.account_key, bytes(lookup.writable_indexes))
            writable += [True] * (len(keys) - len(static))
            for lookup, table in tables:
                keys += _look_up(table, lookup.account_key, bytes(lookup.readonly_indexes))
            writable += [False] * (len(keys) - len(writable))
        called = {keys[ix.program_id_index] for ix in message.instructions}
        upgradeable = UPGRADEABLE_LOADER in keys
        for i, key in enumerate(keys):
            reserved = key in RESERVED_KEYS or str(key).startswith("Sysvar")
            if reserved or (key in called and not upgradeable):
                writable[i] = False
        return keys, writable

    def _lookup_table(self, address: Pubkey) -> AddressLookupTable:
        account = self.svm.get_account(address)
        if account is None or account.lamports == 0:
            raise _NotExecutable("AddressLookupTableNotFound")
        if account.owner != LOOKUP_TABLE_PROGRAM:
            raise _NotExecutable("InvalidAddressLookupTableOwner")
        try:
            return AddressLookupTable.deserialize(bytes(account.data))
        except ValueError:
            raise _NotExecutable("InvalidAddressLookupTableData") from None


def _look_up(table: AddressLookupTable, address: Pubkey, indexes: bytes) -> list[Pubkey]:
    addresses = table.addresses
    if any(i >= len(addresses) for i in indexes):
        raise _NotExecutable("InvalidAddressLookupTableIndex")
    return [addresses[i] for i in indexes]


def _request(
    message: Message | MessageV0,
    keys: list[Pubkey],
    writable: list[bool],
    states: dict[Pubkey, Account],
    unix_time: int,
) -> dict:
    """The bridge's request (``programs/native_runtime/src/wire.rs``) for ``message``."""
    signers = message.header.num_required_signatures
    return {
        "unix_time": unix_time,
        "instructions": [
            {
                "program_id": str(keys[ix.program_id_index]),
                "accounts": [
                    {"pubkey": str(keys[i]), "is_signer": i < signers, "is_writable": writable[i]}
                    for i in bytes(ix.accounts)
                ],
                "data": base64.b64encode(bytes(ix.data)).decode(),
            }
            for ix in message.instructions
        ],
        "accounts": {str(key): _wire(account) for key, account in states.items()},
    }


def _verify(tx: VersionedTransaction) -> None:
    try:
        tx.sanitize()
    except Exception:  # solders raises its own error types for malformed messages
        raise _NotExecutable("SanitizeFailure") from None
    if not all(tx.verify_with_results()):
        raise _NotExecutable("SignatureFailure")


def _charge_fee(payer: Account, signatures: int) -> Account:
    fee = FEE_PER_SIGNATURE * signatures
    if payer.lamports == 0:
        raise _NotExecutable("AccountNotFound")
    if payer.lamports < fee:
        raise _NotExecutable("InsufficientFundsForFee")
    return Account(
        payer.lamports - fee, payer.data, payer.owner, payer.executable, payer.rent_epoch
    )


def _wire(account: Account) -> dict:
    return {
        "lamports": account.lamports,
        "data": base64.b64encode(bytes(account.data)).decode(),
        "owner": str(account.owner),
        "executable": account.executable,
    }


def _account(state: dict, rent_epoch: int) -> Account:
    return Account(
        state["lamports"],
        base64.b64decode(state["data"]),
        Pubkey.from_string(state["owner"]),
        state["executable"],
        rent_epoch,
    )
