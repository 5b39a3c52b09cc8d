"""A transaction message decoded for the person about to sign it: fee payer, recent
blockhash, who must sign, and every instruction with its program (named when known),
its accounts (signer and writable flags) and its data in hex."""

from __future__ import annotations

from solders.message import Message, MessageV0
from solders.pubkey import Pubkey

from quantdesk_desktop.wallet.known_programs import instruction_words, program_name

THIS_WALLET = "this wallet"


def describe(message: Message | MessageV0, signer: Pubkey) -> str:
    """``message`` in words, with ``signer`` (the wallet's key) pointed out."""
    keys = list(message.account_keys)
    header = message.header
    required = header.num_required_signatures
    lines = [
        f"Fee payer: {_key(keys[0], signer)}" if keys else "Fee payer: none",
        f"Recent blockhash: {message.recent_blockhash}",
        f"Signatures required: {required} — "
        + ", ".join(_key(key, signer) for key in keys[:required]),
    ]
    if isinstance(message, MessageV0):
        lines.append("Version: 0")
        for lookup in message.address_table_lookups:
            lines.append(
                f"Address table {lookup.account_key}: writable entries "
                f"{list(lookup.writable_indexes)}, read-only entries "
                f"{list(lookup.readonly_indexes)}"
            )
    else:
        lines.append("Version: legacy")
    names = _account_names(message, keys)
    count = len(message.instructions)
    for number, instruction in enumerate(message.instructions, start=1):
        index = instruction.program_id_index
        program = keys[index] if index < len(keys) else None  # programs are static keys
        data = bytes(instruction.data)
        title = (program_name(program) if program else None) or "Unknown program"
        words = instruction_words(program, data) if program else None
        lines.append("")
        lines.append(f"Instruction {number} of {count}: {title}" + (f" — {words}" if words else ""))
        lines.append(f"  Program: {program if program else f'#{index} (missing)'}")
        lines.append("  Accounts:")
        for position, account in enumerate(bytes(instruction.accounts), start=1):
            text = names[account] if account < len(names) else f"#{account} (missing)"
            flags = _flags(message, keys, account, signer)
            lines.append(f"    {position}. {text}" + (f"  {flags}" if flags else ""))
        if not instruction.accounts:
            lines.append("    (none)")
        lines.append(f"  Data ({len(data)} bytes): {data.hex() or '(none)'}")
    return "\n".join(lines)


def _key(key: Pubkey, signer: Pubkey) -> str:
    return f"{key} ({THIS_WALLET})" if key == signer else str(key)


def _account_names(message: Message | MessageV0, keys: list[Pubkey]) -> list[str]:
    """Every account index's text: its key, or for an account loaded from an address
    table, which table and entry (its key is only known to the chain)."""
    names = [str(key) for key in keys]
    if isinstance(message, MessageV0):
        lookups = message.address_table_lookups
        for kind, pick in (("writable", "writable_indexes"), ("read-only", "readonly_indexes")):
            for lookup in lookups:
                names += [
                    f"address table {lookup.account_key} entry {entry} ({kind})"
                    for entry in getattr(lookup, pick)
                ]
    return names


def _flags(message: Message | MessageV0, keys: list[Pubkey], index: int, signer: Pubkey) -> str:
    header = message.header
    required = header.num_required_signatures
    if index >= len(keys):  # loaded from an address table: the table says
        return ""
    if index < required:
        writable = index < required - header.num_readonly_signed_accounts
        flags = "signer, writable" if writable else "signer, read-only"
    else:
        writable = index < len(keys) - header.num_readonly_unsigned_accounts
        flags = "writable" if writable else "read-only"
    return f"{flags} ({THIS_WALLET})" if keys[index] == signer else flags
