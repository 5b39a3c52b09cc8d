"""Keyboard trading: the actions keys can be bound to, the key map, the per-market hotkey
sizes, and the orders an action sends."""
