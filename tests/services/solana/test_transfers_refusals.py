"""A transfer the chain refuses is told in the program's own words: its IDL error name
and sentence, or what the Token or System program meant inside our instruction, or the
runtime's reason (an expired blockhash, no SOL for the fee)."""

from __future__ import annotations

from backend.services.solana.idl import error_messages
from backend.services.solana.transfer_errors import TransferExpired, TransferRefused
from backend.services.solana.transfer_refusals import chain_refusal

OPEN_AND_DEPOSIT = ["initialize_user", "deposit"]


def custom(index: int, code: int) -> dict:
    return {"InstructionError": [index, {"Custom": code}]}


def test_a_program_error_gets_its_idl_name_sentence_and_field() -> None:
    refusal = chain_refusal(custom(0, 6006), [], ["withdraw"])

    name, sentence = error_messages()[6006]
    assert isinstance(refusal, TransferRefused)
    assert (refusal.code, refusal.field) == ("insufficient_margin", "amount")
    assert refusal.message == f"the program refused it: {sentence} ({name})"


def test_a_stale_price_is_named_as_such() -> None:
    refusal = chain_refusal(custom(0, 6007), [], ["withdraw"])

    assert (refusal.code, refusal.field) == ("stale_price", None)


def test_token_and_system_errors_are_read_by_the_instruction_they_came_from() -> None:
    short_tokens = chain_refusal(custom(1, 1), [], OPEN_AND_DEPOSIT)
    short_sol = chain_refusal(custom(0, 1), [], OPEN_AND_DEPOSIT)

    assert short_tokens.code == "insufficient_funds"
    assert "token account holds less" in short_tokens.message
    assert short_sol.code == "insufficient_sol"
    assert "too little SOL" in short_sol.message


def test_an_expired_blockhash_means_build_it_again() -> None:
    refusal = chain_refusal("BlockhashNotFound", [], ["deposit"])

    assert isinstance(refusal, TransferExpired)
    assert refusal.code == "transaction_expired" and "build it again" in refusal.message


def test_a_wallet_without_sol_is_told_it_cannot_pay_the_fee() -> None:
    for error in ("AccountNotFound", "InsufficientFundsForFee"):
        assert chain_refusal(error, [], ["deposit"]).code == "no_sol_for_fees"


def test_any_other_error_is_described_with_the_anchor_message_from_the_logs() -> None:
    logs = [
        "Program log: Instruction: Withdraw",
        "Program log: AnchorError caused by account: user. Error Code: "
        "AccountNotInitialized. Error Number: 3012. Error Message: The program expected "
        "this account to be already initialized.",
    ]

    refusal = chain_refusal(custom(0, 3012), logs, ["withdraw"])

    assert refusal.code == "chain_refused" and refusal.field is None
    assert refusal.message == (
        "the chain refused it (withdraw): instruction 0 failed: custom program error 3012 "
        "(0xbc4) — The program expected this account to be already initialized"
    )
