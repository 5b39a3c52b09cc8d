"""Switches that make the local node misbehave the way real clusters and RPC nodes do."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Faults:
    """What goes wrong next; each counter is consumed one event at a time."""

    drop_sends: int = 0
    """The next sendTransaction calls are answered with the signature but the transaction
    never executes (a leader that lost it)."""
    delay_sends: int = 0
    """The next sendTransaction calls are answered, and the transaction executes only
    ``delay_blocks`` blocks later (if its blockhash is still valid then)."""
    delay_blocks: int = 3
    confirmation_delay_blocks: int = 0
    """Extra blocks a landed transaction stays ``processed`` before it is ``confirmed``."""
    fail_simulations: int = 0
    """The next simulateTransaction calls answer the recorded program error."""
    blockhash_not_found_simulations: int = 0
    """The next simulateTransaction calls answer ``BlockhashNotFound`` (a lagging node)."""
    blockhash_not_found_sends: int = 0
    """The next sendTransaction calls are refused with the recorded -32002 preflight
    failure ``Blockhash not found``; nothing is broadcast."""
    answers: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    """Per method, the next answers replaced by (HTTP status, raw body): malformed JSON,
    HTTP errors, odd shapes."""

    def take(self, name: str) -> bool:
        """Consume one event of the counter ``name``; whether there was one."""
        left = getattr(self, name)
        if left <= 0:
            return False
        setattr(self, name, left - 1)
        return True

    def raw_answer(self, method: str) -> tuple[int, str] | None:
        """The next replaced answer for ``method``, if one is queued."""
        queued = self.answers.get(method)
        return queued.pop(0) if queued else None
