"""Book deltas coalesced into frames: a quiet book's change goes out at once, a busy
book's changes merge into one message per frame, and a new subscriber's snapshot is
never overtaken by an older merged delta."""

from __future__ import annotations

import json

from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.l2 import L2Delta
from backend.domain.orders import Side
from backend.gateway.ws.book_frames import BookFrames
from backend.gateway.ws.hub import Hub, Subscriber

FRAME_S = 0.05


class FakeTimer:
    """A pending callback that can be cancelled, as `asyncio.TimerHandle`."""

    def __init__(self, when: float, callback) -> None:
        self.when, self.callback, self.cancelled = when, callback, False

    def cancel(self) -> None:
        self.cancelled = True


class FakeTimers:
    """A clock and a ``call_later`` that the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0
        self.pending: list[FakeTimer] = []

    def call_later(self, delay_s: float, callback) -> FakeTimer:
        timer = FakeTimer(self.now + delay_s, callback)
        self.pending.append(timer)
        return timer

    def advance(self, seconds: float) -> None:
        self.now += seconds
        for timer in [t for t in self.pending if t.when <= self.now + 1e-9]:
            self.pending.remove(timer)
            if not timer.cancelled:
                timer.callback()


def _delta(seq: int, side: Side, price: str, size: str) -> L2Delta:
    return L2Delta("SOL-PERP", seq, side, parse_price(price), parse_base(size))


def _received(subscriber: Subscriber) -> list[dict]:
    messages = []
    while not subscriber.queue.empty():
        messages.append(json.loads(subscriber.queue.get_nowait()))
    return messages


def _framed(timers: FakeTimers) -> tuple[BookFrames, Subscriber]:
    hub = Hub()
    subscriber = Subscriber()
    hub.subscribe(("book", "SOL-PERP"), subscriber)
    frames = BookFrames(
        hub, FRAME_S, now=lambda: timers.now, call_later=timers.call_later, wide_fanout=1
    )
    return frames, subscriber


async def test_a_change_on_a_quiet_book_goes_out_at_once() -> None:
    timers = FakeTimers()
    frames, subscriber = _framed(timers)
    frames.add([_delta(1, Side.BUY, "149.9", "2")])
    [message] = _received(subscriber)
    assert (message["prev_seq"], message["seq"]) == (0, 1)
    assert message["bids"] == [["149.9", "2"]] and message["asks"] == []


async def test_changes_within_a_frame_merge_into_one_message() -> None:
    timers = FakeTimers()
    frames, subscriber = _framed(timers)
    frames.add([_delta(1, Side.BUY, "149.9", "2")])
    _received(subscriber)
    timers.advance(0.01)
    frames.add([_delta(2, Side.BUY, "149.9", "3"), _delta(3, Side.SELL, "150.1", "1")])
    timers.advance(0.01)
    frames.add([_delta(4, Side.BUY, "149.9", "0")])
    assert _received(subscriber) == []  # held until a frame after the last message
    timers.advance(0.03)
    [merged] = _received(subscriber)
    assert (merged["prev_seq"], merged["seq"]) == (1, 4)
    assert merged["bids"] == [["149.9", "0"]]  # the level's latest size
    assert merged["asks"] == [["150.1", "1"]]


async def test_flush_sends_the_waiting_changes_before_a_snapshot() -> None:
    timers = FakeTimers()
    frames, subscriber = _framed(timers)
    frames.add([_delta(1, Side.BUY, "149.9", "2")])
    frames.add([_delta(2, Side.SELL, "150.1", "1")])
    _received(subscriber)  # the first one
    frames.flush("SOL-PERP")
    [message] = _received(subscriber)
    assert (message["prev_seq"], message["seq"]) == (1, 2)
    timers.advance(1.0)  # the cancelled timer sends nothing more
    assert _received(subscriber) == []


async def test_no_frame_sends_every_change() -> None:
    hub = Hub()
    subscriber = Subscriber()
    hub.subscribe(("book", "SOL-PERP"), subscriber)
    frames = BookFrames(hub, 0.0)
    frames.add([_delta(1, Side.BUY, "149.9", "2")])
    frames.add([_delta(2, Side.BUY, "149.9", "1")])
    assert [m["seq"] for m in _received(subscriber)] == [1, 2]


async def test_a_frame_waits_while_many_subscribers_are_behind() -> None:
    timers = FakeTimers()
    frames, fast = _framed(timers)
    slow = Subscriber()
    frames.hub.subscribe(("book", "SOL-PERP"), slow)
    frames.add([_delta(1, Side.BUY, "149.9", "2")])
    _received(fast)  # the slow one has not been sent its message yet
    frames.add([_delta(2, Side.BUY, "149.9", "3")])
    timers.advance(FRAME_S)
    assert _received(fast) == []  # half the subscribers are behind: keep merging
    frames.add([_delta(3, Side.SELL, "150.1", "1")])
    _received(slow)  # it caught up
    timers.advance(FRAME_S)
    [merged] = _received(fast)
    assert (merged["prev_seq"], merged["seq"]) == (1, 3)
    assert [m["seq"] for m in _received(slow)] == [3]


async def test_few_subscribers_get_every_change_at_once() -> None:
    timers = FakeTimers()
    hub = Hub()
    subscriber = Subscriber()
    hub.subscribe(("book", "SOL-PERP"), subscriber)
    frames = BookFrames(hub, FRAME_S, now=lambda: timers.now, call_later=timers.call_later)
    assert hub.subscribers(("book", "SOL-PERP")) < frames.wide_fanout
    frames.add([_delta(1, Side.BUY, "149.9", "2")])
    frames.add([_delta(2, Side.BUY, "149.9", "3")])  # well within a frame
    assert [m["seq"] for m in _received(subscriber)] == [1, 2]
    assert timers.pending == []
