"""The command log's codec: the payload is exactly the commands' fields as JSON (the
format every existing log was written in), and decoding gives the command back."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from backend.domain.fixed_point import parse_price
from backend.services.trading.commands import (
    Cancel,
    CancelAll,
    Deposit,
    Modify,
    QuoteAuction,
    SetMarketParameters,
    SetMarketStatus,
    SetPrices,
    SetPriceStatus,
    Submit,
    Tick,
    Withdraw,
    decode,
    encode,
    kind_of,
)
from tests.domain.order_factory import request

COMMANDS = [
    Submit(
        request("buy", type="bracket", price="140", take_profit_price="150", stop_loss_price="130")
    ),
    Submit(
        request("sell", type="trailing_stop", price=None, trailing_amount="2", reduce_only=True)
    ),
    Cancel("alice", "SOL-PERP", 7),
    CancelAll("alice"),
    Modify("alice", "SOL-PERP", 7, price=parse_price("141")),
    SetPrices("SOL-PERP", oracle=parse_price("150"), derive_mark=True, source="sim"),
    SetPrices("SOL-PERP", oracle=parse_price("150"), source="pyth", publish_time_ms=1_790_000),
    Tick(),
    QuoteAuction("mm", "SOL-PERP", 3, parse_price("150.5"), 10**9),
    SetMarketStatus("SOL-PERP", True, "drill"),
    SetPriceStatus("SOL-PERP", "fallback", "coingecko", "Pyth silent for 3 s"),
    SetMarketParameters("SOL-PERP", {"max_leverage": 5}),
    Deposit("alice", "USDC", 10**9),
    Withdraw("alice", "USDC", 10**6),
]


def _as_before(command) -> str:
    """The payload as the log has always held it: `asdict`, enums by value."""

    def plain(value):
        return value.value

    return json.dumps(asdict(command), default=plain, separators=(",", ":"), sort_keys=True)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: type(c).__name__)
def test_payload_is_unchanged_and_decodes_back(command) -> None:
    payload = encode(command)
    assert payload == _as_before(command)
    assert decode(kind_of(command), payload) == command
