"""Reading and writing secret keys: base58 text and Solana CLI keypair files round-trip;
every bad input gets an error that says what is wrong, never what was given."""

from __future__ import annotations

import json
import stat
import traceback
from pathlib import Path

import pytest
from solders.keypair import Keypair

from quantdesk_desktop.wallet import base58
from quantdesk_desktop.wallet.errors import ExportFailed, SecretFormatError
from quantdesk_desktop.wallet.secret_formats import (
    keypair_json,
    parse_base58_secret,
    parse_keypair_json,
    read_keypair_file,
    write_keypair_file,
)
from tests.desktop.wallet.secrets import leaked


def test_base58_decoding_matches_solders_and_keeps_leading_zeros() -> None:
    keypair = Keypair()
    assert base58.decode(str(keypair)) == bytes(keypair)
    assert base58.decode("1112") == b"\0\0\0\x01"
    assert base58.decode("") == b""


def test_a_base58_secret_gives_back_its_key_pair_blanks_ignored() -> None:
    keypair = Keypair()
    parsed = parse_base58_secret(f"  {keypair}\n")
    assert parsed.pubkey() == keypair.pubkey() and bytes(parsed) == bytes(keypair)


def test_a_keypair_file_round_trips_in_the_solana_cli_format(tmp_path: Path) -> None:
    keypair = Keypair()
    path = tmp_path / "id.json"
    write_keypair_file(keypair, path)
    values = json.loads(path.read_text())
    assert values == list(bytes(keypair))  # what solana-keygen writes: 64 byte values
    assert path.read_text() == keypair_json(keypair) and " " not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_keypair_file(path).pubkey() == keypair.pubkey()
    assert [p.name for p in tmp_path.iterdir()] == ["id.json"]  # no scratch file left


def test_an_export_replaces_an_existing_file_and_makes_it_private(tmp_path: Path) -> None:
    path = tmp_path / "id.json"
    path.write_text("old")
    path.chmod(0o644)
    keypair = Keypair()
    write_keypair_file(keypair, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_keypair_file(path).pubkey() == keypair.pubkey()


def test_an_export_where_nothing_can_be_written_says_so_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    with pytest.raises(ExportFailed, match=r"cannot write .*missing"):
        write_keypair_file(Keypair(), tmp_path / "missing" / "id.json")
    assert list(tmp_path.iterdir()) == []


def _other_halves() -> str:
    """64 bytes whose second half is another key's public key."""
    return json.dumps(list(bytes(Keypair())[:32] + bytes(Keypair().pubkey())))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no secret key given"),
        ("   ", "no secret key given"),
        ("0" * 88, "not base58"),
        ("l" + "1" * 87, "not base58"),
        ("abc def", "not base58"),
        (str(Keypair().pubkey()), "holds 32 bytes; a Solana secret key is 64"),
        ("2" * 120, "a Solana secret key is 64"),
    ],
)
def test_a_bad_base58_secret_is_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(SecretFormatError, match=reason) as caught:
        parse_base58_secret(text)
    error = caught.value  # no parser's own exception is chained to it (it may quote)
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def test_a_secret_whose_halves_do_not_match_is_not_a_key_pair() -> None:
    raw = bytes(Keypair())[:32] + bytes(Keypair().pubkey())
    with pytest.raises(SecretFormatError, match="not a key pair"):
        parse_keypair_json(json.dumps(list(raw)))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "is not JSON"),
        ('{"secret": 1}', "not an array"),
        ("[1, 2, 3]", "holds 3 numbers; a Solana CLI keypair holds 64"),
        (json.dumps([0] * 65), "holds 65 numbers"),
        (json.dumps([256] + [0] * 63), "not whole numbers from 0 to 255"),
        (json.dumps([-1] + [0] * 63), "not whole numbers from 0 to 255"),
        (json.dumps([1.5] + [0] * 63), "not whole numbers from 0 to 255"),
        (json.dumps([True] + [0] * 63), "not whole numbers from 0 to 255"),
        (json.dumps(["1"] + [0] * 63), "not whole numbers from 0 to 255"),
        (_other_halves(), "not a key pair"),
    ],
)
def test_a_bad_keypair_json_is_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(SecretFormatError, match=reason):
        parse_keypair_json(text)


def test_an_unreadable_keypair_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(SecretFormatError, match=r"cannot read .*nothing\.json"):
        read_keypair_file(tmp_path / "nothing.json")
    with pytest.raises(SecretFormatError, match="cannot read"):
        read_keypair_file(tmp_path)  # a folder
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00" * 10)
    with pytest.raises(SecretFormatError, match="not a text file"):
        read_keypair_file(binary)
    large = tmp_path / "large.json"
    large.write_text("[" + "0," * 20_000 + "0]")
    with pytest.raises(SecretFormatError, match="too large"):
        read_keypair_file(large)


def test_errors_never_quote_the_secret_they_refused() -> None:
    keypair = Keypair()
    raw = bytes(keypair)
    attempts = [
        str(keypair) + "0",  # one bad character
        str(keypair)[:-3],  # cut short
        json.dumps([*raw, 1]),
        json.dumps(list(raw[:32]) + list(raw[:32])),  # the seed twice: not a key pair
        json.dumps([*raw[:-1], 300]),
    ]
    for attempt in attempts:
        parse = parse_keypair_json if attempt.startswith("[") else parse_base58_secret
        with pytest.raises(SecretFormatError) as caught:
            parse(attempt)
        report = "".join(traceback.format_exception(caught.value))  # as a crash shows it
        assert not leaked(keypair, report), attempt[:10]
