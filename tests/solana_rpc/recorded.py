"""The recorded Solana RPC answers (tests/fixtures/solana_rpc), and the check that a live
answer has the same shape as its recording."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

FIXTURES = Path(__file__).parent.parent / "fixtures" / "solana_rpc"

OPAQUE_KEYS = frozenset({"err", "status"})
"""Values that are a runtime error's union type (a string or one of many objects): their
inside is checked by solana-py's parser in the wire tests, not by key."""


class ShapeMismatch(AssertionError):
    """A live answer does not have its recording's shape."""


@cache
def _load(name: str) -> str:
    return (FIXTURES / f"{name}.json").read_text()


def recorded(name: str) -> dict:
    """A fresh copy of the recorded answer ``name``."""
    return copy.deepcopy(json.loads(_load(name)))


def fixture_names() -> list[str]:
    """Every recorded answer's name."""
    return sorted(path.stem for path in FIXTURES.glob("*.json"))


def result_answer(name: str, result: object, request_id: object) -> dict:
    """A JSON-RPC answer carrying ``result``, checked against the recording ``name``."""
    check_shape(recorded(name)["result"], result, name)
    return {"jsonrpc": "2.0", "result": result, "id": request_id}


def error_answer(
    name: str, request_id: object, *, message: str | None = None, data: object = None
) -> dict:
    """The recorded JSON-RPC error ``name``, with its message and data replaced if given."""
    answer = recorded(name)
    answer["id"] = request_id
    if message is not None:
        answer["error"]["message"] = message
    if data is not None:
        check_shape(answer["error"].get("data"), data, f"{name}.data")
        answer["error"]["data"] = data
    return answer


def check_shape(expected: object, live: object, where: str) -> None:
    """``ShapeMismatch`` unless ``live`` has the keys and value types of ``expected``
    (a null on either side matches anything: fields are nullable)."""
    if expected is None or live is None:
        return
    if isinstance(expected, dict) and isinstance(live, dict):
        if expected.keys() != live.keys():
            raise ShapeMismatch(
                f"{where}: keys {sorted(live)} are not the recorded {sorted(expected)}"
            )
        for key, value in expected.items():
            if key not in OPAQUE_KEYS:
                check_shape(value, live[key], f"{where}.{key}")
        return
    if isinstance(expected, list) and isinstance(live, list):
        samples = [item for item in expected if item is not None]
        if samples:
            for item in live:
                check_shape(samples[0], item, f"{where}[]")
        return
    if type(expected) is not type(live):
        raise ShapeMismatch(
            f"{where}: {type(live).__name__} where the recording has {type(expected).__name__}"
        )
