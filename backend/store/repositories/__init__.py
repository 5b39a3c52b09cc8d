"""Typed reads and writes of the services' hot paths; each takes the caller's session.

They flush but never commit: the caller's `backend.store.unit_of_work.unit_of_work`
decides what commits together (an order and its fills, a fill and both balances).
"""
