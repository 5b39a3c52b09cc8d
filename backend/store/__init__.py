"""Durable state: SQLModel tables, repositories and migrations.

* `models` - the tables, one module per domain object; `columns` - their column types.
* `database` - `create_engine_for(url)` (SQLite WAL / PostgreSQL via psycopg 3) and
  `default_database_url()`; `migrate` - `upgrade_to_head(url)` and `schema_differences`.
* `unit_of_work` - one transaction that commits together or not at all.
* `repositories` - the services' hot paths (orders, trades, accounts, users, system
  events); `trade_history.trades_after` - a user's fills after a trade-id cursor.
"""
