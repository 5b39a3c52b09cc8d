"""Reading and writing a secret key in the two forms Solana users hold one: base58 text
(what Phantom and Solflare export) and the Solana CLI keypair file (a JSON array of the
64 bytes: the 32-byte seed, then the public key).

Bad input raises `SecretFormatError` with what is wrong and never what was given; the
errors are raised ``from None`` so that no traceback shows a parser's message either.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from solders.keypair import Keypair
from solders.pubkey import Pubkey

from quantdesk_desktop.wallet import base58
from quantdesk_desktop.wallet.errors import ExportFailed, SecretFormatError

SECRET_BYTES = 64
"""A Solana secret key: a 32-byte ed25519 seed followed by its 32-byte public key."""
MAX_FILE_BYTES = 16_384
"""A keypair file is about 250 bytes; anything far larger is not one."""


def keypair_from_bytes(raw: bytes, what: str) -> Keypair:
    """The key pair of a 64-byte secret key whose second half is the public key of its
    first (``what`` names the input in errors)."""
    if len(raw) != SECRET_BYTES:
        raise SecretFormatError(
            f"{what} holds {len(raw)} bytes; a Solana secret key is {SECRET_BYTES} "
            "(a 32-byte seed followed by its public key)"
        )
    keypair = Keypair.from_seed(raw[:32])
    if keypair.pubkey() != Pubkey.from_bytes(raw[32:]):
        raise SecretFormatError(
            f"{what} is not a key pair: its last 32 bytes are not the public key of its first 32"
        )
    return keypair


def parse_base58_secret(text: str) -> Keypair:
    """The key pair of a base58 secret key (surrounding blanks ignored)."""
    cleaned = text.strip()
    if not cleaned:
        raise SecretFormatError("no secret key given: paste the base58 secret key")
    try:
        raw = base58.decode(cleaned)
    except SecretFormatError as error:
        raise SecretFormatError(f"the secret key {error}") from None
    return keypair_from_bytes(raw, "the base58 secret key")


def parse_keypair_json(text: str, what: str = "the keypair file") -> Keypair:
    """The key pair of a Solana CLI keypair file's text: a JSON array of 64 integers
    from 0 to 255."""
    try:
        values = json.loads(text)
    except ValueError:
        raise SecretFormatError(
            f"{what} is not JSON: a Solana CLI keypair file is a JSON array of "
            f"{SECRET_BYTES} numbers"
        ) from None
    if not isinstance(values, list):
        raise SecretFormatError(
            f"{what} is JSON but not an array: a Solana CLI keypair file is a JSON array "
            f"of {SECRET_BYTES} numbers"
        )
    if len(values) != SECRET_BYTES:
        raise SecretFormatError(
            f"{what} holds {len(values)} numbers; a Solana CLI keypair holds {SECRET_BYTES}"
        )
    if not all(type(value) is int and 0 <= value <= 255 for value in values):
        raise SecretFormatError(
            f"{what} holds values that are not whole numbers from 0 to 255 (bytes)"
        )
    return keypair_from_bytes(bytes(values), what)


def read_keypair_file(path: Path) -> Keypair:
    """The key pair in a Solana CLI keypair file."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise SecretFormatError(f"cannot read {path}: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise SecretFormatError(
            f"{path.name} is too large to be a Solana CLI keypair file (over "
            f"{MAX_FILE_BYTES} bytes)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretFormatError(
            f"{path.name} is not a text file: a Solana CLI keypair file is a JSON array of "
            f"{SECRET_BYTES} numbers"
        ) from None
    return parse_keypair_json(text, path.name)


def keypair_json(keypair: Keypair) -> str:
    """The Solana CLI keypair file's text of ``keypair`` (as `solana-keygen` writes it)."""
    return json.dumps(list(bytes(keypair)), separators=(",", ":"))


def write_keypair_file(keypair: Keypair, path: Path) -> None:
    """Write ``keypair`` as a Solana CLI keypair file only its owner can read (mode 0600),
    replacing ``path`` whole or not at all."""
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with contextlib.suppress(FileNotFoundError):  # left by an export that crashed
            scratch.unlink()
        descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(keypair_json(keypair))
            file.flush()
            os.fsync(file.fileno())
        os.chmod(scratch, 0o600)  # whatever the umask did
        os.replace(scratch, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            scratch.unlink()
        raise ExportFailed(f"cannot write {path}: {error.strerror or error}") from None
