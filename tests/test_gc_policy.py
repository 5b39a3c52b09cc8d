"""The server's collector policy: long-lived survivors stop being walked again."""

from __future__ import annotations

import gc

from backend import gc_policy


def test_survivors_of_full_collections_are_frozen() -> None:
    try:
        gc_policy.install()
        frozen_at_start = gc.get_freeze_count()
        assert frozen_at_start > 0
        survivors = [[i] for i in range(1000)]  # lists are always tracked
        gc.collect(2)
        assert gc.get_freeze_count() >= frozen_at_start + len(survivors)
        after_full = gc.get_freeze_count()
        young = [[i] for i in range(100)]
        gc.collect(0)  # a young collection freezes nothing
        assert gc.get_freeze_count() == after_full and len(young) == 100
    finally:
        gc.callbacks.remove(gc_policy._freeze_survivors)
        gc.unfreeze()
