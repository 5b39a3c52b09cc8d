"""The keeper's keypair, read from the OS keyring: never from settings, never logged.

An operator stores it once, e.g. ``python -m keyring set quantdesk solana-keeper`` and
pastes the base58 secret key, or the contents of a Solana CLI keypair file (a JSON array
of 64 numbers). Nothing here formats a ``Keypair`` into a string: its ``str`` is the
secret.
"""

from __future__ import annotations

import json

import keyring
from keyring.errors import KeyringError
from solders.keypair import Keypair

from backend.services.solana.errors import KeeperKeyError, KeeperKeyInvalid, KeeperKeyMissing

KEYRING_SERVICE = "quantdesk"
"""The keyring service QuantDesk's secrets are filed under (the desktop wallet's too)."""

KEYPAIR_BYTES = 64


def load_keeper_key(name: str, service: str = KEYRING_SERVICE) -> Keypair:
    """The keypair stored in the OS keyring as ``name`` under ``service``.

    ``KeeperKeyMissing`` if there is none, ``KeeperKeyInvalid`` if it is not a keypair,
    ``KeeperKeyError`` if the keyring cannot be read; no message quotes the secret.
    """
    try:
        secret = keyring.get_password(service, name)
    except KeyringError as error:
        raise KeeperKeyError(
            f"the OS keyring could not be read for the keeper key {name!r} "
            f"(service {service!r}): {error}"
        ) from None
    if not secret or not secret.strip():
        raise KeeperKeyMissing(
            f"the OS keyring has no keeper key {name!r} under service {service!r}: store "
            f"the keeper's keypair there (python -m keyring set {service} {name}) or set "
            "QUANTDESK_SOLANA_KEEPER_KEY_NAME to the entry that holds it"
        )
    return parse_keypair(secret, f"the keyring entry {name!r} (service {service!r})")


def parse_keypair(secret: str, where: str = "the keeper key") -> Keypair:
    """A keypair from a base58 secret key or a Solana CLI keypair file's JSON array;
    ``KeeperKeyInvalid`` naming ``where`` (never the secret) otherwise."""
    text = secret.strip()
    expected = (
        "expected a base58 secret key (64 bytes) or a JSON array of 64 numbers "
        "(a Solana CLI keypair file)"
    )
    try:
        if text.startswith("["):
            numbers = json.loads(text)
            if (
                not isinstance(numbers, list)
                or len(numbers) != KEYPAIR_BYTES
                or not all(isinstance(n, int) and 0 <= n <= 255 for n in numbers)
            ):
                raise KeeperKeyInvalid(f"{where} is not a keypair: {expected}")
            return Keypair.from_bytes(bytes(numbers))
        return Keypair.from_base58_string(text)
    except KeeperKeyInvalid:
        raise
    except ValueError as error:
        # solders' messages describe the shape, never the bytes; json's quote nothing.
        reason = "its public half does not match its secret" if "pubkey" in str(error) else ""
        detail = f" ({reason})" if reason else ""
        raise KeeperKeyInvalid(f"{where} is not a keypair{detail}: {expected}") from None
