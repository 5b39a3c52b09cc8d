"""Base58 (Bitcoin alphabet) decoding, as Solana writes keys and secrets."""

from __future__ import annotations

from quantdesk_desktop.wallet.errors import SecretFormatError

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_DIGITS = {char: value for value, char in enumerate(ALPHABET)}


def decode(text: str) -> bytes:
    """The bytes ``text`` encodes; `SecretFormatError` if a character is not base58 (the
    message does not say which: the text may be a secret)."""
    number = 0
    for char in text:
        digit = _DIGITS.get(char)
        if digit is None:
            raise SecretFormatError(
                "is not base58: it holds a character outside the base58 alphabet "
                "(spaces, punctuation, 0, O, I and l are not in it)"
            )
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")
