"""The load benchmarks' lean WebSocket client frames and masks as RFC 6455 says."""

from __future__ import annotations

import struct

import pytest

from bench.ws_reader import TEXT, _frame


@pytest.mark.parametrize("size", [0, 5, 125, 126, 70_000])
def test_a_client_frame_is_masked_and_unmasks_to_the_payload(size: int) -> None:
    payload = bytes(i % 251 for i in range(size))
    frame = _frame(TEXT, payload)
    assert frame[0] == 0x80 | TEXT and frame[1] & 0x80  # final, text, masked
    length, start = frame[1] & 0x7F, 2
    if length == 126:
        (length,), start = struct.unpack_from("!H", frame, 2), 4
    elif length == 127:
        (length,), start = struct.unpack_from("!Q", frame, 2), 10
    assert length == size
    mask, body = frame[start : start + 4], frame[start + 4 :]
    assert bytes(b ^ mask[i % 4] for i, b in enumerate(body)) == payload
