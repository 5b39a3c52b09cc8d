"""An ASGI app served by uvicorn on loopback inside the test's event loop."""

from __future__ import annotations

import asyncio

import uvicorn

from bench.live_server import free_port


class LoopbackServer:
    """``async with LoopbackServer(app) as server:`` serves ``app`` at ``server.url``."""

    def __init__(self, app, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> LoopbackServer:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:  # uvicorn offers no event for this
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *_exc) -> None:
        self.server.should_exit = True
        await self.task
