"""The program's interface: its id, its IDL (generated from the Rust source into
`programs/idl/`) and the anchorpy coder built from it."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from anchorpy import Coder, Idl
from anchorpy.program.namespace.types import _build_types
from solders.pubkey import Pubkey

IDL_PATH = Path(__file__).resolve().parents[3] / "programs" / "idl" / "quantdesk_perp.json"
PROGRAM_ID = Pubkey.from_string("G7isTpCkw8TWhPhozSuZMbUjTEF8Jf8xxAguZyL39L8J")
"""The program id the source declares."""
_T = TypeVar("_T")


@cache
def program_idl() -> Idl:
    """The committed IDL (legacy Anchor format)."""
    return Idl.from_json(IDL_PATH.read_text(encoding="utf-8"))


def _quietly(build: Callable[[], _T]) -> _T:
    # borsh-construct builds enum classes with an attrs argument that attrs deprecates
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The `repr_ns` argument", DeprecationWarning)
        return build()


@cache
def coder() -> Coder:
    """Encodes instructions and decodes accounts and events as the program does."""
    return _quietly(lambda: Coder(program_idl()))


@cache
def idl_types() -> dict[str, Any]:
    """The IDL's defined types (structs and enums) as anchorpy classes."""
    return _quietly(lambda: _build_types(program_idl()))


@cache
def error_messages() -> dict[int, tuple[str, str]]:
    """The program's errors by code: (name, sentence)."""
    raw = json.loads(IDL_PATH.read_text(encoding="utf-8"))
    return {error["code"]: (error["name"], error["msg"]) for error in raw["errors"]}
