"""realised pnl and equity snapshots

Revision ID: de79f0c13d03
Revises: b630b503e9ad
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "de79f0c13d03"
down_revision = "b630b503e9ad"
branch_labels = None
depends_on = None

ADDED = {
    "trades": ("maker_realised_pnl", "taker_realised_pnl"),
    "liquidations": ("realised_pnl", "liquidator_realised_pnl"),
}
"""Realised PnL columns; rows recorded before them get 0 (what they realised was not kept)."""


def upgrade() -> None:
    op.create_table(
        "equity_snapshots",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("time_ms", sa.BigInteger(), nullable=False),
        sa.Column("equity", sa.BigInteger(), nullable=False),
        sa.Column("collateral_value", sa.BigInteger(), nullable=False),
        sa.Column("unrealised_pnl", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("equity_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_equity_snapshots_user_id_time_ms", ["user_id", "time_ms"], unique=False
        )

    for table, columns in ADDED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.add_column(
                    sa.Column(column, sa.BigInteger(), nullable=False, server_default="0")
                )
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, server_default=None)


def downgrade() -> None:
    for table, columns in ADDED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(columns):
                batch_op.drop_column(column)

    with op.batch_alter_table("equity_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_equity_snapshots_user_id_time_ms")

    op.drop_table("equity_snapshots")
