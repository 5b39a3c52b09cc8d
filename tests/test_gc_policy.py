"""The server's collector policy: long-lived survivors stop being walked again."""

from __future__ import annotations

import gc
import weakref

from backend import gc_policy


def test_survivors_of_full_collections_are_frozen() -> None:
    thresholds = gc.get_threshold()
    try:
        gc_policy.install()
        frozen_at_start = gc.get_freeze_count()
        assert frozen_at_start > 0
        assert gc.get_threshold()[2] == gc_policy.FULL_EVERY
        survivors = [[i] for i in range(1000)]  # lists are always tracked
        gc.collect(2)
        assert gc.get_freeze_count() >= frozen_at_start + len(survivors)
        after_full = gc.get_freeze_count()
        young = [[i] for i in range(100)]
        gc.collect(0)  # a young collection freezes nothing
        assert gc.get_freeze_count() == after_full and len(young) == 100
    finally:
        gc.callbacks.remove(gc_policy._freeze_survivors)
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def test_a_sweep_collects_a_cycle_that_was_frozen_alive() -> None:
    class Node:
        pass

    collected: list[str] = []
    node = Node()
    node.self = node  # a cycle: reference counting alone never frees it
    weakref.finalize(node, collected.append, "freed")
    try:
        gc.freeze()  # frozen while in use, as a request in flight at a full collection
        del node
        gc.collect()
        assert collected == []  # the frozen cycle is out of the collector's reach
        assert gc_policy.sweep() >= 1
        assert collected == ["freed"]
    finally:
        gc.unfreeze()
