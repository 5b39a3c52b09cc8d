"""auction settlements reference a trade with its time

TimescaleDB requires every unique key of a hypertable to include its time column, so an
auction settlement references its trade by (id, timestamp_ms): the settlement row already
holds the same time.

Revision ID: 0b7d4e6a9c21
Revises: f3a9c8d2b1e7
"""

from __future__ import annotations

from alembic import op

revision = "0b7d4e6a9c21"
down_revision = "f3a9c8d2b1e7"
branch_labels = None
depends_on = None

NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
"""SQLite's foreign keys have no names: batch mode names them by this convention."""
OLD_KEY = {
    "postgresql": "auction_settlements_trade_id_fkey",
    "sqlite": "fk_auction_settlements_trade_id_trades",
}


def upgrade() -> None:
    old = OLD_KEY[op.get_bind().dialect.name]
    with op.batch_alter_table("trades") as batch:
        batch.create_unique_constraint("uq_trades_id_timestamp_ms", ["id", "timestamp_ms"])
    with op.batch_alter_table("auction_settlements", naming_convention=NAMING) as batch:
        batch.drop_constraint(old, type_="foreignkey")
        batch.create_foreign_key(
            "fk_auction_settlements_trade",
            "trades",
            ["trade_id", "settled_at_ms"],
            ["id", "timestamp_ms"],
        )


def downgrade() -> None:
    old = OLD_KEY[op.get_bind().dialect.name]
    with op.batch_alter_table("auction_settlements", naming_convention=NAMING) as batch:
        batch.drop_constraint("fk_auction_settlements_trade", type_="foreignkey")
        batch.create_foreign_key(old, "trades", ["trade_id"], ["id"])
    with op.batch_alter_table("trades") as batch:
        batch.drop_constraint("uq_trades_id_timestamp_ms", type_="unique")
