"""The shared settlement vectors (`tests/vectors/`) replayed against the Python domain.

`cargo test` replays the same files against the Rust program's math; a change made in
one language and not the other fails one of the two.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.domain.fills import fee_for
from backend.domain.funding import PriceAccumulator, funding_payment, funding_rate
from backend.domain.liquidation import close_size
from backend.domain.margin import health, requirement
from backend.domain.positions import Position, apply_trade
from tests.vectors.replay import ScenarioRun, catalog_from_json

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
SCENARIOS = sorted((VECTORS / "scenarios").glob("*.json"))
MATH = json.loads((VECTORS / "math.json").read_text(encoding="utf-8"))


def test_the_vectors_are_there() -> None:
    assert len(SCENARIOS) >= 7
    assert all(len(MATH[name]) >= 30 for name in MATH if name != "catalog")


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_steps_match_the_recorded_figures(path: Path) -> None:
    scenario = json.loads(path.read_text(encoding="utf-8"))
    run = ScenarioRun(catalog_from_json(scenario["catalog"]))
    assert len(scenario["steps"]) == len(scenario["expected"])
    for number, (step, expected) in enumerate(
        zip(scenario["steps"], scenario["expected"], strict=True)
    ):
        where = f"{path.stem} step {number} ({step['op']})"
        assert run.step(step) == expected["outcome"], where
        assert run.state() == expected["state"], where


def test_apply_trade_cases() -> None:
    for case in MATH["apply_trade"]:
        position = Position("X", case["base"], case["quote_entry"])
        assert apply_trade(position, case["delta"], case["price"]) == (
            case["realised"],
            case["flow"],
        ), case
        assert (position.base, position.quote_entry) == (
            case["base_after"],
            case["quote_entry_after"],
        )
        assert position.unrealised_pnl(case["price"]) == case["unrealised_at_price"]
        assert position.notional(case["price"]) == case["notional_at_price"]


def test_funding_cases() -> None:
    for case in MATH["funding_rate"]:
        got = funding_rate(
            case["mark_twap"], case["oracle_twap"], case["period_s"], case["max_funding_rate"]
        )
        assert got == case["rate"], case
    for case in MATH["funding_payment"]:
        assert funding_payment(case["base"], case["delta"]) == case["payment"], case
    for series in MATH["twap"]:
        accumulator = PriceAccumulator(0)
        for mark, oracle, now in series["samples"]:
            accumulator.add_sample(mark, oracle, now)
        assert list(accumulator.twaps(series["end_ms"])) == series["twaps"]


def test_margin_cases() -> None:
    for case in MATH["health"]:
        assert health(case["collateral"], case["requirement"]) == case["health"], case
    for case in MATH["requirement_and_fee"]:
        assert requirement(case["base"], case["mark"], case["ratio"]) == case["requirement"]
        assert fee_for(case["notional"], case["ratio"]) == case["fee"]


def test_close_size_cases() -> None:
    catalog = catalog_from_json(MATH["catalog"])
    for case in MATH["close_size"]:
        spec = catalog.market(case["market"])
        position = Position("X", case["base"])
        size = close_size(case["gap"], position, spec, case["mark"], case["price"], case["buffer"])
        assert size == case["size"], case
