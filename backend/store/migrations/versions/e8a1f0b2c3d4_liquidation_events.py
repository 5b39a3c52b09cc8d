"""liquidation events with the markets as they stood

Revision ID: e8a1f0b2c3d4
Revises: c2f81e6d4b97
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e8a1f0b2c3d4"
down_revision = "c2f81e6d4b97"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "liquidation_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "liquidator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("markets", sa.String(length=4096), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["liquidator_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("liquidation_events")
