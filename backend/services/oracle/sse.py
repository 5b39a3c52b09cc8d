"""Server-Sent Events framing (the WHATWG `text/event-stream` format), fed in chunks.

Lines end in LF, CR LF or CR; a blank line ends an event; ``data:`` lines join with LF;
a line starting with ``:`` is a comment (Hermes and proxies send them as keep-alives);
``event:``, ``id:`` and ``retry:`` are kept. Whatever follows the last blank line is an
event still in flight: a stream cut there loses it, and never yields half of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_END_OF_LINE = re.compile(r"\r\n|\n|\r")


@dataclass(slots=True)
class ServerEvent:
    """One dispatched event."""

    data: str
    event: str = "message"
    id: str | None = None
    retry_ms: int | None = None


@dataclass(slots=True)
class SseParser:
    """Turns received text into events."""

    _buffer: str = ""
    _data: list[str] = field(default_factory=list)
    _event: str = ""
    _id: str | None = None
    _retry: int | None = None
    last_event_id: str | None = None
    """The last ``id:`` seen (sent back as `Last-Event-ID` on reconnect)."""

    def feed(self, text: str) -> list[ServerEvent]:
        """Events completed by ``text``."""
        self._buffer += text
        events = []
        while True:
            line, found = self._next_line()
            if not found:
                return events
            if line == "":
                event = self._dispatch()
                if event is not None:
                    events.append(event)
            elif not line.startswith(":"):
                self._field(line)

    def _next_line(self) -> tuple[str, bool]:
        found = _END_OF_LINE.search(self._buffer)
        if found is None:
            return "", False
        if found.group() == "\r" and found.end() == len(self._buffer):
            return "", False  # a CR at the end may be the first half of CR LF: wait
        line = self._buffer[: found.start()]
        self._buffer = self._buffer[found.end() :]
        return line, True

    def _field(self, line: str) -> None:
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)

    def _dispatch(self) -> ServerEvent | None:
        if self._id is not None:
            self.last_event_id = self._id
        if not self._data:
            self._event, self._retry = "", None
            return None
        event = ServerEvent(
            "\n".join(self._data), self._event or "message", self.last_event_id, self._retry
        )
        self._data, self._event, self._retry = [], "", None
        return event
