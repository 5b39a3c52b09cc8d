"""The programs a QuantDesk transaction calls, by name, and what their instructions do
in words where the data says it plainly (amounts of transfers, compute budget)."""

from __future__ import annotations

from collections.abc import Callable

from solders.pubkey import Pubkey

SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")
TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
TOKEN_2022_PROGRAM = Pubkey.from_string("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
ASSOCIATED_TOKEN_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
COMPUTE_BUDGET_PROGRAM = Pubkey.from_string("ComputeBudget111111111111111111111111111111")
QUANTDESK_PROGRAM = Pubkey.from_string("G7isTpCkw8TWhPhozSuZMbUjTEF8Jf8xxAguZyL39L8J")

PROGRAM_NAMES: dict[Pubkey, str] = {
    SYSTEM_PROGRAM: "System",
    TOKEN_PROGRAM: "SPL Token",
    TOKEN_2022_PROGRAM: "SPL Token-2022",
    ASSOCIATED_TOKEN_PROGRAM: "Associated Token",
    COMPUTE_BUDGET_PROGRAM: "Compute Budget",
    QUANTDESK_PROGRAM: "QuantDesk",
}

LAMPORTS_PER_SOL = 1_000_000_000

SYSTEM_INSTRUCTIONS = (
    "CreateAccount", "Assign", "Transfer", "CreateAccountWithSeed", "AdvanceNonceAccount",
    "WithdrawNonceAccount", "InitializeNonceAccount", "AuthorizeNonceAccount", "Allocate",
    "AllocateWithSeed", "AssignWithSeed", "TransferWithSeed", "UpgradeNonceAccount",
)  # fmt: skip
TOKEN_INSTRUCTIONS = (
    "InitializeMint", "InitializeAccount", "InitializeMultisig", "Transfer", "Approve",
    "Revoke", "SetAuthority", "MintTo", "Burn", "CloseAccount", "FreezeAccount",
    "ThawAccount", "TransferChecked", "ApproveChecked", "MintToChecked", "BurnChecked",
    "InitializeAccount2", "SyncNative", "InitializeAccount3", "InitializeMultisig2",
    "InitializeMint2", "GetAccountDataSize", "InitializeImmutableOwner",
    "AmountToUiAmount", "UiAmountToAmount",
)  # fmt: skip
TOKEN_AMOUNTS = {3, 4, 7, 8}
"""Token instructions whose data is the tag and a u64 amount."""
TOKEN_CHECKED_AMOUNTS = {12, 13, 14, 15}
"""Token instructions whose data is the tag, a u64 amount and the mint's decimals."""
ASSOCIATED_TOKEN_INSTRUCTIONS = ("Create", "CreateIdempotent", "RecoverNested")


def program_name(program_id: Pubkey) -> str | None:
    """The program's name if it is one QuantDesk knows."""
    return PROGRAM_NAMES.get(program_id)


def instruction_words(program_id: Pubkey, data: bytes) -> str | None:
    """What the instruction does, in words, where its program is known and its data is
    plain (None otherwise: the data is shown in hex all the same)."""
    describe = _DESCRIBERS.get(program_id)
    return describe(data) if describe is not None else None


def _u64(data: bytes, start: int) -> int | None:
    if len(data) < start + 8:
        return None
    return int.from_bytes(data[start : start + 8], "little")


def _system(data: bytes) -> str | None:
    if len(data) < 4:
        return None
    tag = int.from_bytes(data[:4], "little")
    if tag >= len(SYSTEM_INSTRUCTIONS):
        return None
    name = SYSTEM_INSTRUCTIONS[tag]
    lamports = _u64(data, 4)
    if name in ("Transfer", "CreateAccount") and lamports is not None:
        sol = f"{lamports // LAMPORTS_PER_SOL}.{lamports % LAMPORTS_PER_SOL:09d}"
        return f"{name} {sol.rstrip('0').rstrip('.')} SOL ({lamports} lamports)"
    return name


def _token(data: bytes) -> str | None:
    if not data or data[0] >= len(TOKEN_INSTRUCTIONS):
        return None
    tag = data[0]
    name = TOKEN_INSTRUCTIONS[tag]
    amount = _u64(data, 1)
    if tag in TOKEN_CHECKED_AMOUNTS and amount is not None and len(data) >= 10:
        decimals = data[9]
        whole, part = divmod(amount, 10**decimals)
        shown = f"{whole}.{part:0{decimals}d}".rstrip("0").rstrip(".") if decimals else str(whole)
        return f"{name} {shown} ({amount} base units, {decimals} decimals)"
    if tag in TOKEN_AMOUNTS and amount is not None:
        return f"{name} {amount} base units"
    return name


def _associated_token(data: bytes) -> str | None:
    tag = data[0] if data else 0  # an empty instruction is Create
    return ASSOCIATED_TOKEN_INSTRUCTIONS[tag] if tag < len(ASSOCIATED_TOKEN_INSTRUCTIONS) else None


def _compute_budget(data: bytes) -> str | None:
    if not data:
        return None
    tag, rest = data[0], data[1:]
    if tag == 2 and len(rest) >= 4:
        return f"SetComputeUnitLimit {int.from_bytes(rest[:4], 'little')} units"
    if tag == 3 and len(rest) >= 8:
        return f"SetComputeUnitPrice {int.from_bytes(rest[:8], 'little')} micro-lamports/unit"
    if tag == 1 and len(rest) >= 4:
        return f"RequestHeapFrame {int.from_bytes(rest[:4], 'little')} bytes"
    if tag == 4 and len(rest) >= 4:
        return f"SetLoadedAccountsDataSizeLimit {int.from_bytes(rest[:4], 'little')} bytes"
    return None


def _anchor(data: bytes) -> str | None:
    if len(data) < 8:
        return None
    return f"instruction {data[:8].hex()} (Anchor discriminator)"


_DESCRIBERS: dict[Pubkey, Callable[[bytes], str | None]] = {
    SYSTEM_PROGRAM: _system,
    TOKEN_PROGRAM: _token,
    TOKEN_2022_PROGRAM: _token,
    ASSOCIATED_TOKEN_PROGRAM: _associated_token,
    COMPUTE_BUDGET_PROGRAM: _compute_budget,
    QUANTDESK_PROGRAM: _anchor,
}
