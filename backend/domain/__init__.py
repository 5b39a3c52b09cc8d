"""The trading core: pure functions and plain classes, standard library only."""
