"""Server-Sent Events framing, however the text arrives in chunks."""

from __future__ import annotations

import pytest

from backend.services.oracle.sse import SseParser

STREAM = (
    ": keep-alive\n\n"
    'data:{"a":1}\n\n'
    "event: price\r\nid: 7\r\ndata: line one\r\ndata: line two\r\n\r\n"
    "retry: 2500\rdata:x\r\r\n"
)


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, len(STREAM)])
def test_events_come_out_whole_whatever_the_chunking(chunk) -> None:
    parser = SseParser()
    events = []
    for start in range(0, len(STREAM), chunk):
        events += parser.feed(STREAM[start : start + chunk])
    assert [(e.event, e.data, e.id, e.retry_ms) for e in events] == [
        ("message", '{"a":1}', None, None),
        ("price", "line one\nline two", "7", None),
        ("message", "x", "7", 2500),
    ]
    assert parser.last_event_id == "7"


def test_an_event_cut_before_its_blank_line_is_never_dispatched() -> None:
    parser = SseParser()
    [complete] = parser.feed('data:{"complete":true}\n\ndata:{"half":')
    assert complete.data == '{"complete":true}'
    assert parser.feed("") == []  # the half event waits for text that never comes
    assert parser.feed("1}\n") == []  # still no blank line: still not dispatched


def test_comments_and_empty_events_dispatch_nothing() -> None:
    assert SseParser().feed(": ping\n\n\n\nevent: x\n\n") == []
