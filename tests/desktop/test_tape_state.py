"""The tape's state: live trades appended, history put in front once."""

from __future__ import annotations

from quantdesk_desktop.state.tape import TapeState


def _row(trade_id: int) -> dict:
    return {"id": trade_id, "price": "150", "size": "1", "side": "buy", "time_ms": trade_id}


def test_history_goes_in_front_of_live_trades_without_repeats() -> None:
    tape = TapeState("SOL-PERP")
    tape.apply({"type": "trades", "trades": [_row(7), _row(8)]})
    tape.load_history([_row(8), _row(7), _row(6), _row(5)])  # newest first, overlapping
    assert [t.trade_id for t in tape.trades] == [5, 6, 7, 8]
    assert tape.added == 2 and tape.reloads == 1


def test_history_fills_only_the_room_left() -> None:
    tape = TapeState("SOL-PERP")
    tape.trades = type(tape.trades)(maxlen=3)
    tape.apply({"type": "trades", "trades": [_row(10), _row(11)]})
    tape.load_history([_row(9), _row(8), _row(7)])
    assert [t.trade_id for t in tape.trades] == [9, 10, 11]
