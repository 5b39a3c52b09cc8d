"""Book deltas coalesced into frames: at most one `book` message per market per frame.

A change that arrives when the market's last message is older than a frame goes out at
once (no added latency on a quiet book); changes that arrive faster are merged, level by
level (each level's latest total size), into one message sent a frame after the last one.
With a thousand subscribers, this bounds the messages the server writes per second no
matter how fast the book changes. A merged message's `prev_seq` is the first merged
change's predecessor and its `seq` the last change, so clients apply it like any delta.
Frames apply only to a market with many subscribers (`WIDE_FANOUT`): a desk's few
workstations get every change at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from backend.domain.l2 import L2Delta
from backend.domain.orders import Side
from backend.gateway.ws.hub import Hub
from backend.gateway.ws.wire import price_text, size_text

WIDE_FANOUT = 50
"""Frames apply from this many subscribers of a market's book; with fewer (a desk's
workstations), every change is sent at once."""
BEHIND_LIMIT = 0.1
"""A frame waits while more than this share of the market's subscribers still have
messages queued."""

Scheduler = Callable[[float, Callable[[], None]], asyncio.TimerHandle]
"""``call_later(delay_s, callback)``."""


@dataclass(slots=True)
class _Frame:
    prev_seq: int
    seq: int = 0
    bids: dict[int, int] = field(default_factory=dict)
    asks: dict[int, int] = field(default_factory=dict)


class BookFrames:
    """Publishes each market's book deltas on ``hub``, at most one message per frame."""

    def __init__(
        self,
        hub: Hub,
        frame_s: float,
        now: Callable[[], float] | None = None,
        wide_fanout: int = WIDE_FANOUT,
        call_later: Scheduler | None = None,
    ) -> None:
        self.hub = hub
        self.frame_s = frame_s
        self.wide_fanout = wide_fanout
        self._now = now
        self._call_later = call_later
        self._frames: dict[str, _Frame] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._last_sent: dict[str, float] = {}

    def add(self, deltas: Sequence[L2Delta]) -> None:
        """One command's deltas of one market."""
        market = deltas[0].market
        frame = self._frames.get(market)
        if frame is None:
            frame = self._frames[market] = _Frame(prev_seq=deltas[0].seq - 1)
        for delta in deltas:
            (frame.bids if delta.side is Side.BUY else frame.asks)[delta.price] = delta.size
        frame.seq = deltas[-1].seq
        if self.frame_s <= 0 or (
            market not in self._timers and self.hub.subscribers(("book", market)) < self.wide_fanout
        ):
            self.flush(market)  # few subscribers (or framing off): every change at once
            return
        if market in self._timers:
            return  # already due at the end of the running frame
        wait = self._last_sent.get(market, float("-inf")) + self.frame_s - self._time()
        if wait <= 0:
            self._flush_when_drained(market)
        else:
            self._timers[market] = self._schedule(wait, lambda: self._flush_when_drained(market))

    def _flush_when_drained(self, market: str) -> None:
        """Send the frame, unless many subscribers have not yet been sent the last one:
        then keep merging for another frame (the server is behind; sending more would
        only grow the queues)."""
        self._timers.pop(market, None)
        if self.hub.behind(("book", market)) > BEHIND_LIMIT:
            self._timers[market] = self._schedule(
                self.frame_s, lambda: self._flush_when_drained(market)
            )
            return
        self.flush(market)

    def flush(self, market: str) -> None:
        """Send ``market``'s waiting changes now (before a new subscriber's snapshot, so
        that its first delta follows the snapshot)."""
        timer = self._timers.pop(market, None)
        if timer is not None:
            timer.cancel()
        frame = self._frames.pop(market, None)
        if frame is None:
            return
        if self.frame_s > 0:
            self._last_sent[market] = self._time()
        self.hub.publish(
            ("book", market),
            {
                "channel": "book",
                "market": market,
                "type": "delta",
                "prev_seq": frame.prev_seq,
                "bids": [[price_text(p), size_text(s)] for p, s in frame.bids.items()],
                "asks": [[price_text(p), size_text(s)] for p, s in frame.asks.items()],
            },
            seq=frame.seq,
        )

    def _time(self) -> float:
        return self._now() if self._now else asyncio.get_running_loop().time()

    def _schedule(self, delay_s: float, callback: Callable[[], None]) -> asyncio.TimerHandle:
        if self._call_later is not None:
            return self._call_later(delay_s, callback)
        return asyncio.get_running_loop().call_later(delay_s, callback)
