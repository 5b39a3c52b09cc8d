"""The Python client against the program's own serialisation (`tests/vectors/encoding.json`,
written and checked by `cargo test --test encoding`): instruction data, PDAs, accounts
and events must be byte for byte what the Rust program produces and reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from solders.pubkey import Pubkey

from backend.services.solana import instructions as ix
from backend.services.solana.accounts import (
    NO_MARKET,
    MarketParams,
    decode_account,
    decode_config,
    decode_event,
    decode_market,
    decode_user,
    symbol_text,
)
from backend.services.solana.errors import AccountDecodeError
from backend.services.solana.idl import PROGRAM_ID, error_messages
from backend.services.solana.pdas import (
    config_address,
    market_address,
    user_address,
    vault_address,
)

VECTORS = json.loads(
    (Path(__file__).resolve().parents[2] / "vectors" / "encoding.json").read_text("utf-8")
)
INSTRUCTIONS = {case["name"]: case for case in VECTORS["instructions"]}
ANY = Pubkey.new_unique()


def params(raw: dict[str, Any]) -> MarketParams:
    fields = dict(raw, symbol=symbol_text(raw["symbol"]), oracle=Pubkey.from_string(raw["oracle"]))
    return MarketParams(**fields)


def build(name: str) -> Any:
    """The instruction built by the client from the vector's arguments."""
    a = INSTRUCTIONS[name]["args"]
    key = Pubkey.from_string
    match name:
        case "initialize":
            return ix.initialize(ANY, ANY, key(a["keeper"]), a["liquidation_buffer"], "USDC")
        case "add_collateral_asset":
            return ix.add_collateral_asset(
                ANY, ANY, "SOL", a["initial_weight"], a["maintenance_weight"], a["price_market"]
            )
        case "add_market":
            return ix.add_market(ANY, 2, params(a["params"]))
        case "update_market":
            update = a["update"]
            changes = {k: v for k, v in update.items() if v is not None and k != "status"}
            return ix.update_market(ANY, 2, changes, update["status"])
        case "update_insurance_fund":
            return ix.update_insurance_fund(ANY, ANY, ANY, a["amount"])
        case "update_prices":
            return ix.update_prices(ANY, 2, a["mark"], a["oracle"])
        case "initialize_user":
            return ix.initialize_user(ANY)
        case "deposit":
            return ix.deposit(ANY, ANY, ANY, a["asset_index"], a["amount"])
        case "withdraw":
            return ix.withdraw(ANY, ANY, ANY, a["asset_index"], a["amount"], [0, 2])
        case "settle_fill":
            side = a["taker_side"].lower()
            return ix.settle_fill(ANY, 2, ANY, ANY, a["fill_id"], side, a["price"], a["size"])
        case "settle_funding":
            return ix.settle_funding(ANY, 2, a["mark_twap"], a["oracle_twap"])
        case "settle_user_funding":
            return ix.settle_user_funding(2, ANY)
        case "liquidate":
            return ix.liquidate(ANY, Pubkey.new_unique(), [0, 2], [Pubkey.new_unique()])
    raise AssertionError(name)


def test_every_instruction_of_the_program_has_a_vector() -> None:
    assert len(INSTRUCTIONS) == 13


@pytest.mark.parametrize("name", sorted(INSTRUCTIONS))
def test_instruction_data_is_the_programs(name: str) -> None:
    instruction = build(name)
    assert bytes(instruction.data).hex() == INSTRUCTIONS[name]["data"]
    assert instruction.program_id == PROGRAM_ID


def test_withdraw_and_liquidate_pass_the_markets_after_their_accounts() -> None:
    withdraw = build("withdraw")
    assert [m.pubkey for m in withdraw.accounts[6:]] == [market_address(0), market_address(2)]
    assert not any(m.is_writable for m in withdraw.accounts[6:])
    liquidate = build("liquidate")
    assert [m.is_writable for m in liquidate.accounts[5:]] == [True, True, True]
    signers = [m.pubkey for m in liquidate.accounts if m.is_signer]
    assert signers == [ANY]


def test_the_pdas_are_the_programs() -> None:
    pdas = VECTORS["pdas"]
    assert VECTORS["program_id"] == str(PROGRAM_ID)
    assert str(config_address()) == pdas["config"]["address"]
    assert [str(market_address(i)) for i in range(6)] == [m["address"] for m in pdas["markets"]]
    authority = Pubkey.from_string(pdas["user"]["authority"])
    assert str(user_address(authority)) == pdas["user"]["pda"]["address"]
    mint = Pubkey.from_string(pdas["vault"]["mint"])
    assert str(vault_address(mint)) == pdas["vault"]["pda"]["address"]


def account(name: str) -> tuple[bytes, dict[str, Any]]:
    case = next(c for c in VECTORS["accounts"] if c["name"] == name)
    return bytes.fromhex(case["data"]), case["fields"]


def test_the_config_decodes_as_the_program_wrote_it() -> None:
    data, fields = account("Config")
    config = decode_config(data)
    assert str(config.admin) == fields["admin"] and str(config.keeper) == fields["keeper"]
    assert len(config.assets) == fields["asset_count"] == 2
    for decoded, raw in zip(config.assets, fields["assets"], strict=False):
        assert str(decoded.mint) == raw["mint"] and str(decoded.vault) == raw["vault"]
        assert decoded.symbol == symbol_text(raw["symbol"])
        assert decoded.decimals == raw["decimals"]
        assert (decoded.initial_weight, decoded.maintenance_weight) == (
            raw["initial_weight"],
            raw["maintenance_weight"],
        )
        expected_market = None if raw["price_market"] == NO_MARKET else raw["price_market"]
        assert decoded.price_market == expected_market
    assert (config.insurance_fund, config.fees_collected) == (1_234_567, 89_012)
    assert (config.market_count, config.liquidation_buffer, config.bump) == (6, 50_000, 254)


def test_a_market_decodes_as_the_program_wrote_it() -> None:
    data, fields = account("Market")
    market = decode_market(data)
    assert market.params == params(fields["params"])
    assert market.status == fields["status"]
    assert market.funding_index == int(fields["funding_index"]) < 0
    for name in ("index", "mark_price", "oracle_price", "price_updated_at", "last_funding_rate"):
        assert getattr(market, name) == fields[name], name
    for name in ("last_funding_at", "open_interest", "last_fill_id", "bump"):
        assert getattr(market, name) == fields[name], name


def test_a_user_decodes_as_the_program_wrote_it() -> None:
    data, fields = account("User")
    user = decode_user(data)
    assert str(user.authority) == fields["authority"]
    assert list(user.collateral) == fields["collateral"]
    used = [p for p in fields["positions"] if p["market_index"] != NO_MARKET]
    assert len(user.positions) == len(used) == 2
    for decoded, raw in zip(user.positions, used, strict=True):
        assert (decoded.market_index, decoded.base, decoded.quote_entry) == (
            raw["market_index"],
            raw["base"],
            raw["quote_entry"],
        )
        assert decoded.last_funding_index == int(raw["last_funding_index"])


@pytest.mark.parametrize("case", VECTORS["events"], ids=lambda c: c["name"])
def test_events_decode_as_the_program_emits_them(case: dict[str, Any]) -> None:
    name, fields = decode_event(bytes.fromhex(case["data"]))
    assert name == case["name"]
    plain = {
        k: str(v) if isinstance(v, (Pubkey, int)) and k != "rate" else v for k, v in fields.items()
    }
    expected = {
        k: str(v) if not isinstance(v, str) or k == "funding_index" else v
        for k, v in case["fields"].items()
    }
    for key, value in expected.items():
        assert str(plain[key]) == str(value), key


def test_foreign_bytes_are_refused_clearly() -> None:
    data, _ = account("User")
    with pytest.raises(AccountDecodeError, match="not an account of the QuantDesk program"):
        decode_account(b"\x00" * 64)
    with pytest.raises(AccountDecodeError, match="expected a MarketAccount, got a UserAccount"):
        decode_market(data)
    with pytest.raises(AccountDecodeError):
        decode_account(data[:40])
    with pytest.raises(AccountDecodeError):
        decode_event(b"\x01\x02")


def test_bad_arguments_are_refused_before_encoding() -> None:
    with pytest.raises(ValueError, match="1 to 8 ASCII characters"):
        ix.initialize(ANY, ANY, ANY, 50_000, "TOOLONGSYM")
    with pytest.raises(ValueError, match="'buy' or 'sell'"):
        ix.settle_fill(ANY, 2, ANY, ANY, 1, "long", 1, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot change tick_size"):
        ix.update_market(ANY, 2, {"tick_size": 5})
    with pytest.raises(ValueError, match="u16"):
        market_address(70_000)
    with pytest.raises(ValueError, match="no instruction 'explode'"):
        ix.build("explode", {}, {})
    with pytest.raises(ValueError, match="missing accounts"):
        ix.build("deposit", {"asset_index": 0, "amount": 1}, {"authority": ANY})


def test_the_program_errors_are_known_by_code() -> None:
    messages = error_messages()
    assert messages[6006] == ("InsufficientMargin", "that would breach initial margin")
    assert messages[6017][0] == "FillAlreadySettled"
