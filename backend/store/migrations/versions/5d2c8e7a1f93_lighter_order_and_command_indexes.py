"""fewer indexes written with each order and command; request ids indexed where present

Every query of the orders table reads one order by id or one user's orders, which the
primary key, the client-id key and (user_id, created_at_ms) serve: the single-column
indexes on user_id, market, status and parent_id only cost writes. The commands' request
id is unique where present; commands of one process have none and need no index entry.
The log is read in id order only: its market index goes too.

Revision ID: 5d2c8e7a1f93
Revises: 0b7d4e6a9c21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5d2c8e7a1f93"
down_revision = "0b7d4e6a9c21"
branch_labels = None
depends_on = None

DROPPED = ("ix_orders_user_id", "ix_orders_market", "ix_orders_status", "ix_orders_parent_id")
PRESENT = sa.text("request_id IS NOT NULL")


def upgrade() -> None:
    for name in DROPPED:
        op.drop_index(name, table_name="orders")
    op.drop_index("ix_commands_market", table_name="commands")
    with op.batch_alter_table("commands") as batch:
        batch.drop_constraint("uq_commands_request_id", type_="unique")
    op.create_index(
        "uq_commands_request_id",
        "commands",
        ["request_id"],
        unique=True,
        sqlite_where=PRESENT,
        postgresql_where=PRESENT,
    )


def downgrade() -> None:
    op.drop_index("uq_commands_request_id", table_name="commands")
    with op.batch_alter_table("commands") as batch:
        batch.create_unique_constraint("uq_commands_request_id", ["request_id"])
    op.create_index("ix_commands_market", "commands", ["market"])
    for name in DROPPED:
        column = name.removeprefix("ix_orders_")
        op.create_index(name, "orders", [column])
