"""Wallet-signature login with real ed25519 keys."""

from __future__ import annotations

import inspect

import pytest
from solders.keypair import Keypair

from backend.services.auth import sessions
from backend.services.auth.errors import AuthCode, AuthError
from backend.services.auth.login import LoginService
from backend.services.auth.nonces import NonceBook
from backend.services.auth.sessions import SessionIssuer

NOW = 1_790_000_000_000
SECRET = b"s" * 32


@pytest.fixture
def login() -> LoginService:
    return LoginService(NonceBook("quantdesk.local", "http://127.0.0.1"), SessionIssuer(SECRET))


async def _signed(login: LoginService, key: Keypair, now: int = NOW) -> tuple[str, str]:
    message = (await login.challenge(str(key.pubkey()), now)).text()
    return message, str(key.sign_message(message.encode()))


async def _refused(code: AuthCode, call, *args) -> None:
    with pytest.raises(AuthError) as raised:
        answer = call(*args)
        if inspect.isawaitable(answer):
            await answer
    assert raised.value.code is code and raised.value.message


async def test_message_says_who_where_and_until_when(login: LoginService) -> None:
    key = Keypair()
    text = (await login.challenge(str(key.pubkey()), NOW)).text()
    assert text.startswith("quantdesk.local wants you to sign in with your Solana account:\n")
    assert str(key.pubkey()) in text and "Nonce: " in text
    assert "Issued At: 2026-09-21T" in text and "Expiration Time: " in text


async def test_signed_message_logs_in_and_the_token_names_the_key(login: LoginService) -> None:
    key = Keypair()
    message, signature = await _signed(login, key)
    tokens = await login.verify(str(key.pubkey()), message, signature, NOW + 1_000)
    assert tokens.expires_in == 900
    assert login.sessions.subject(tokens.access_token, NOW + 2_000) == str(key.pubkey())


async def test_a_nonce_works_once(login: LoginService) -> None:
    key = Keypair()
    message, signature = await _signed(login, key)
    await login.verify(str(key.pubkey()), message, signature, NOW)
    await _refused(AuthCode.UNKNOWN_NONCE, login.verify, str(key.pubkey()), message, signature, NOW)


async def test_an_expired_message_is_refused(login: LoginService) -> None:
    key = Keypair()
    message, signature = await _signed(login, key)
    await _refused(
        AuthCode.EXPIRED, login.verify, str(key.pubkey()), message, signature, NOW + 5 * 60 * 1000
    )


async def test_a_foreign_signature_is_refused_and_spends_nothing(login: LoginService) -> None:
    owner, thief = Keypair(), Keypair()
    message, _ = await _signed(login, owner)
    forged = str(thief.sign_message(message.encode()))
    await _refused(AuthCode.BAD_SIGNATURE, login.verify, str(owner.pubkey()), message, forged, NOW)
    good = str(owner.sign_message(message.encode()))
    assert (await login.verify(str(owner.pubkey()), message, good, NOW)).access_token


async def test_a_message_issued_to_another_key_is_refused(login: LoginService) -> None:
    owner, other = Keypair(), Keypair()
    message, _ = await _signed(login, owner)
    signature = str(other.sign_message(message.encode()))
    await _refused(
        AuthCode.MESSAGE_MISMATCH, login.verify, str(other.pubkey()), message, signature, NOW
    )


async def test_a_tampered_message_is_refused(login: LoginService) -> None:
    key = Keypair()
    message, _ = await _signed(login, key)
    tampered = message.replace("Chain ID: mainnet", "Chain ID: devnet")
    signature = str(key.sign_message(tampered.encode()))
    await _refused(
        AuthCode.MESSAGE_MISMATCH, login.verify, str(key.pubkey()), tampered, signature, NOW
    )


@pytest.mark.parametrize(
    ("pubkey", "signature", "code"),
    [
        ("not-a-key", "x", AuthCode.INVALID_PUBKEY),
        (str(Keypair().pubkey()), "!!", AuthCode.INVALID_SIGNATURE_FORMAT),
    ],
)
async def test_malformed_input_is_refused(login, pubkey, signature, code) -> None:
    await _refused(code, login.verify, pubkey, "hello", signature, NOW)


async def test_access_tokens_expire_and_refresh_tokens_rotate(login: LoginService) -> None:
    key = Keypair()
    message, signature = await _signed(login, key)
    tokens = await login.verify(str(key.pubkey()), message, signature, NOW)
    await _refused(
        AuthCode.TOKEN_EXPIRED, login.sessions.subject, tokens.access_token, NOW + 900_000
    )
    renewed = await login.sessions.refresh(tokens.refresh_token, NOW + 900_000)
    assert login.sessions.subject(renewed.access_token, NOW + 900_001) == str(key.pubkey())
    await _refused(AuthCode.INVALID_TOKEN, login.sessions.refresh, tokens.refresh_token, NOW)


async def test_a_token_signed_with_another_secret_is_refused(login: LoginService) -> None:
    other = await SessionIssuer(b"o" * 32).issue("someone", NOW)
    await _refused(AuthCode.INVALID_TOKEN, login.sessions.subject, other.access_token, NOW)
    with pytest.raises(ValueError, match="32 bytes"):
        SessionIssuer(b"short")


async def test_a_remembered_token_still_expires_and_the_memory_is_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sessions, "VERIFIED_CACHE", 3)
    issuer = SessionIssuer(b"k" * 32)
    tokens = [(await issuer.issue(f"user{i}", NOW)).access_token for i in range(5)]
    assert [issuer.subject(t, NOW) for t in tokens] == [f"user{i}" for i in range(5)]
    assert issuer.subject(tokens[4], NOW + 1000) == "user4"  # remembered
    assert len(issuer._verified) == 3  # the oldest were dropped
    await _refused(AuthCode.TOKEN_EXPIRED, issuer.subject, tokens[4], NOW + 900_000)
    await _refused(AuthCode.TOKEN_EXPIRED, issuer.subject, tokens[0], NOW + 900_000)  # re-checked
    forged = tokens[4][:-2] + ("AA" if not tokens[4].endswith("AA") else "BB")
    await _refused(AuthCode.INVALID_TOKEN, issuer.subject, forged, NOW)
