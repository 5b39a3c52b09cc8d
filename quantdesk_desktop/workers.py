"""The desktop's one front door for background work: a function runs on a worker thread
and its result (or its exception) is handed to a callback on the UI thread, through a Qt
signal with a queued connection. Requests travel in lanes: a new request in a lane
supersedes the one before it, whose result is dropped (and which never runs if it had
not started), so a panel that asks again as the user changes a filter only ever shows
the answer to the last question.

The UI thread never waits here (only `close` with ``wait=True`` does, for tests and
for an owner that must know its work has stopped).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from quantdesk_desktop.qt import Qt, QtCore, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


@dataclass(frozen=True, slots=True)
class _Request:
    ticket: int
    lane: str | None
    done: Done
    failed: Failed | None


@dataclass(frozen=True, slots=True)
class _Outcome:
    request: _Request
    value: Any = None
    error: BaseException | None = None


class BackgroundWork(QtCore.QObject):
    """A small pool of worker threads whose results come back on the UI thread.

    Create it on the UI thread (it lives there: that is where its callbacks run)."""

    _finished = Signal(object)
    """A worker's outcome, crossing to the UI thread (queued)."""

    def __init__(
        self, threads: int = 2, name: str = "quantdesk-work", parent: QtCore.QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix=name)
        self._tickets = itertools.count(1)
        self._latest: dict[str, int] = {}
        """The newest request's ticket in each lane (only its result is delivered)."""
        self._futures: dict[str, Future] = {}
        """The newest request's future in each lane, until it is delivered."""
        self._pending = 0
        """Requests neither delivered nor dropped yet."""
        self._closed = False
        self.dropped = 0
        """Results dropped because a newer request superseded theirs (or work closed)."""
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def run(
        self,
        function: Callable[[], Any],
        done: Done,
        failed: Failed | None = None,
        lane: str | None = None,
    ) -> int:
        """Run ``function()`` on a worker; then, on the UI thread, ``done(result)`` or
        ``failed(exception)`` (logged when there is no ``failed``). In a ``lane``, this
        request supersedes the lane's earlier ones. Returns the request's ticket."""
        if self._closed:
            raise RuntimeError("the background work is closed")
        request = _Request(next(self._tickets), lane, done, failed)
        if lane is not None:
            self.supersede(lane)
            self._latest[lane] = request.ticket
        self._pending += 1
        future = self._pool.submit(self._work, request, function)
        if lane is not None:
            self._futures[lane] = future
        return request.ticket

    def supersede(self, lane: str) -> None:
        """Drop the result of the lane's request in flight (a request not started yet
        is cancelled)."""
        self._latest[lane] = next(self._tickets)
        earlier = self._futures.pop(lane, None)
        if earlier is not None and earlier.cancel():
            self._pending -= 1  # it never runs, so it never comes back
            self.dropped += 1

    def busy(self, lane: str | None = None) -> bool:
        """Whether the lane's newest request (or, with no lane, any request) is still to
        be delivered."""
        return self._pending > 0 if lane is None else lane in self._futures

    def close(self, wait: bool = False) -> None:
        """Deliver nothing more; requests not started are cancelled, and with ``wait``
        the running ones are waited for."""
        self._closed = True
        self._futures.clear()
        self._pool.shutdown(wait=wait, cancel_futures=True)

    # -- inside ---------------------------------------------------------------------

    def _work(self, request: _Request, function: Callable[[], Any]) -> None:
        """On a worker thread: run, and send the outcome to the UI thread."""
        try:
            outcome = _Outcome(request, value=function())
        except Exception as error:  # handed to the UI thread as it is
            outcome = _Outcome(request, error=error)
        with contextlib.suppress(RuntimeError):  # deleted with its panel: nobody to tell
            self._finished.emit(outcome)

    @Slot(object)
    def _deliver(self, outcome: _Outcome) -> None:
        """On the UI thread: hand the outcome over unless it was superseded."""
        request = outcome.request
        self._pending -= 1
        if request.lane is not None:
            if self._latest.get(request.lane) != request.ticket:
                self.dropped += 1
                return
            self._futures.pop(request.lane, None)
        if self._closed:
            self.dropped += 1
            return
        if outcome.error is None:
            request.done(outcome.value)
        elif request.failed is not None:
            request.failed(outcome.error)
        else:
            log.error("background work failed", exc_info=outcome.error)
