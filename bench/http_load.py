"""A lean HTTP/1.1 keep-alive client for load generation.

httpx spends more CPU per request than the server it measures (and its pool slows down
as thousands of requests queue for a connection), so the load would be bounded by the
client. This one writes each request as one buffer on a pooled keep-alive connection and
reads the status line, the headers and a `Content-Length` body: nothing else is needed to
talk to uvicorn.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any


class HttpPool:
    """``size`` keep-alive connections to one server; a request waits for an idle one."""

    def __init__(self, host: str, port: int, size: int = 32) -> None:
        self.host, self.port, self.size = host, port, size
        self._idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue()
        )

    async def __aenter__(self) -> HttpPool:
        for _ in range(self.size):
            self._idle.put_nowait(await asyncio.open_connection(self.host, self.port))
        return self

    async def __aexit__(self, *_exc: object) -> None:
        while not self._idle.empty():
            _, writer = self._idle.get_nowait()
            writer.close()

    async def post_json(self, path: str, body: Any, headers: dict[str, str]) -> tuple[int, bytes]:
        """POST ``body`` as JSON; the status code and the response body."""
        payload = json.dumps(body).encode()
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{head}"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        ).encode() + payload
        reader, writer = await self._idle.get()
        try:
            writer.write(request)
            status, length = await _read_head(reader)
            answer = await reader.readexactly(length)
        except BaseException:
            writer.close()  # a half-read connection cannot be reused: replace it
            self._idle.put_nowait(await asyncio.open_connection(self.host, self.port))
            raise
        self._idle.put_nowait((reader, writer))
        return status, answer


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, int]:
    """The status code and `Content-Length` of a response whose head is next."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return status, length
