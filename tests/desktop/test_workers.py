"""The background work's front door: functions run on a worker thread, their results and
exceptions come back on the UI thread, and a newer request in a lane supersedes the one
before (its result is dropped, or it never runs if it had not started)."""

from __future__ import annotations

import threading

import pytest

from quantdesk_desktop.workers import BackgroundWork

WAIT_MS = 5_000


@pytest.fixture
def work(qtbot):
    work = BackgroundWork(threads=2)
    yield work
    work.close(wait=True)


def test_a_result_is_handed_over_on_the_ui_thread(qtbot, work: BackgroundWork) -> None:
    ui_thread = threading.get_ident()
    ran_on: list[int] = []
    delivered: list[tuple[int, int]] = []

    def job() -> int:
        ran_on.append(threading.get_ident())
        return 42

    work.run(job, lambda value: delivered.append((value, threading.get_ident())))
    assert work.busy()
    qtbot.waitUntil(lambda: bool(delivered), timeout=WAIT_MS)
    assert delivered == [(42, ui_thread)]
    assert ran_on and ran_on[0] != ui_thread
    assert not work.busy()


def test_an_exception_is_handed_to_the_failure_callback_on_the_ui_thread(
    qtbot, work: BackgroundWork
) -> None:
    ui_thread = threading.get_ident()
    failures: list[tuple[BaseException, int]] = []

    def job() -> None:
        raise ValueError("no such fill")

    def failed(error: BaseException) -> None:
        failures.append((error, threading.get_ident()))

    work.run(job, lambda _: pytest.fail("no result"), failed)
    qtbot.waitUntil(lambda: bool(failures), timeout=WAIT_MS)
    error, thread = failures[0]
    assert isinstance(error, ValueError) and str(error) == "no such fill"
    assert thread == ui_thread


def test_a_newer_request_in_a_lane_drops_the_older_result(qtbot, work: BackgroundWork) -> None:
    started, release, finished = threading.Event(), threading.Event(), threading.Event()
    delivered: list[str] = []

    def slow() -> str:
        started.set()
        release.wait(WAIT_MS / 1000)
        finished.set()
        return "old filter"

    work.run(slow, delivered.append, lane="summary")
    assert started.wait(WAIT_MS / 1000)  # running: it cannot be cancelled any more
    work.run(lambda: "new filter", delivered.append, lane="summary")
    qtbot.waitUntil(lambda: delivered == ["new filter"], timeout=WAIT_MS)
    assert not work.busy("summary")
    release.set()
    assert finished.wait(WAIT_MS / 1000)
    qtbot.waitUntil(lambda: work.dropped == 1, timeout=WAIT_MS)  # came back, and was dropped
    assert delivered == ["new filter"] and not work.busy()


def test_a_superseded_request_that_had_not_started_never_runs(qtbot) -> None:
    work = BackgroundWork(threads=1)
    release = threading.Event()
    ran: list[str] = []
    delivered: list[str] = []

    def blocker() -> str:
        release.wait(WAIT_MS / 1000)
        return "blocker"

    def job(name: str):
        def run() -> str:
            ran.append(name)
            return name

        return run

    work.run(blocker, delivered.append)  # occupies the only thread
    work.run(job("first page"), delivered.append, lane="fills")
    work.run(job("second page"), delivered.append, lane="fills")
    assert work.dropped == 1  # the first was still queued: cancelled at once
    release.set()
    qtbot.waitUntil(lambda: len(delivered) == 2, timeout=WAIT_MS)
    assert delivered == ["blocker", "second page"] and ran == ["second page"]
    work.close(wait=True)


def test_lanes_are_independent_and_unlaned_requests_are_never_superseded(
    qtbot, work: BackgroundWork
) -> None:
    delivered: list[str] = []
    work.run(lambda: "summary", delivered.append, lane="summary")
    work.run(lambda: "counts", delivered.append, lane="counts")
    work.run(lambda: "export", delivered.append)
    work.run(lambda: "import", delivered.append)
    qtbot.waitUntil(lambda: len(delivered) == 4, timeout=WAIT_MS)
    assert sorted(delivered) == ["counts", "export", "import", "summary"]
    assert work.dropped == 0


def test_supersede_drops_a_lanes_result_without_a_new_request(qtbot, work: BackgroundWork) -> None:
    release = threading.Event()
    delivered: list[str] = []
    work.run(lambda: release.wait(WAIT_MS / 1000) and "late", delivered.append, lane="markets")
    work.supersede("markets")
    assert not work.busy("markets")
    release.set()
    qtbot.waitUntil(lambda: work.dropped == 1 and not work.busy(), timeout=WAIT_MS)
    assert delivered == []


def test_nothing_is_delivered_after_close(qtbot) -> None:
    work = BackgroundWork(threads=1)
    release = threading.Event()
    delivered: list[str] = []
    work.run(lambda: release.wait(WAIT_MS / 1000) and "late", delivered.append)
    work.close()
    release.set()
    qtbot.waitUntil(lambda: work.dropped == 1, timeout=WAIT_MS)
    assert delivered == []
    with pytest.raises(RuntimeError, match="closed"):
        work.run(lambda: 1, delivered.append)
