"""A lean WebSocket client for fan-out load: one asyncio protocol per socket that reads
frames and hands each text message's bytes to a callback.

A thousand subscribers in Python through a full client library cost as much CPU as the
server that feeds them, on the same machine; this keeps the load generator's share small.
It does the RFC 6455 opening handshake, masks what it sends, answers pings and parses
unmasked server frames (no extensions are offered, so none are used).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
from collections.abc import Callable

TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def _frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame."""
    mask = os.urandom(4)
    length = len(payload)
    repeated = (mask * (length // 4 + 1))[:length]
    masked = (int.from_bytes(payload) ^ int.from_bytes(repeated)).to_bytes(length)
    if length < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    return head + mask + masked


class WsReader(asyncio.Protocol):
    """One socket: ``on_text(payload)`` for each text message."""

    def __init__(self, host: str, port: int, path: str, on_text: Callable[[bytes], None]) -> None:
        self.host, self.port, self.path = host, port, path
        self.on_text = on_text
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.open = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        key = base64.b64encode(os.urandom(16)).decode()
        self.transport.write(
            f"GET {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.open.done():
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self.buffer[:end]).split(b" ", 2)[1]
            del self.buffer[: end + 4]
            if status != b"101":
                self.open.set_exception(ConnectionError(f"handshake answered {status!r}"))
                return
            self.open.set_result(None)
        self._frames()

    def _frames(self) -> None:
        buffer = self.buffer
        while len(buffer) >= 2:
            opcode, length = buffer[0] & 0x0F, buffer[1] & 0x7F
            start = 2
            if length == 126:
                if len(buffer) < 4:
                    return
                (length,) = struct.unpack_from("!H", buffer, 2)
                start = 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                (length,) = struct.unpack_from("!Q", buffer, 2)
                start = 10
            if len(buffer) < start + length:
                return
            payload = bytes(buffer[start : start + length])
            del buffer[: start + length]
            if opcode == TEXT:
                self.on_text(payload)
            elif opcode == PING:
                self.transport.write(_frame(PONG, payload))
            elif opcode == CLOSE:
                self.transport.close()

    def send_json(self, message: dict) -> None:
        """Send one JSON text message."""
        self.transport.write(_frame(TEXT, json.dumps(message).encode()))

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.open.done():
            self.open.set_exception(exc or ConnectionError("closed during the handshake"))
        if not self.closed.done():
            self.closed.set_result(None)

    def close(self) -> None:
        """Close the socket (without the closing handshake: the bench is over)."""
        if self.transport is not None:
            self.transport.close()


async def open_reader(url: str, on_text: Callable[[bytes], None]) -> WsReader:
    """Connect to ``ws://host:port/path`` and finish the handshake."""
    rest = url.removeprefix("ws://")
    address, _, path = rest.partition("/")
    host, _, port = address.partition(":")
    loop = asyncio.get_running_loop()
    _, reader = await loop.create_connection(
        lambda: WsReader(host, int(port), "/" + path, on_text), host, int(port)
    )
    await reader.open
    return reader
