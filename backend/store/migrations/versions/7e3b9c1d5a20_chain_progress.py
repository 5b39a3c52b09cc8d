"""chain settlement progress

Revision ID: 7e3b9c1d5a20
Revises: 4c1f7a2e9b10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7e3b9c1d5a20"
down_revision = "4c1f7a2e9b10"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chain_progress",
        sa.Column("stream", sa.String(length=32), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("pending_through", sa.Integer(), nullable=True),
        sa.Column("pending_signature", sa.String(length=100), nullable=True),
        sa.Column("pending_block_height", sa.Integer(), nullable=True),
        sa.Column("pending_wire", sa.String(), nullable=True),
        sa.Column("updated_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("stream"),
    )


def downgrade() -> None:
    op.drop_table("chain_progress")
