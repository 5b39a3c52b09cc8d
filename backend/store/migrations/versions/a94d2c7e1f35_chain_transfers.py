"""chain transfers signed by users' wallets

Revision ID: a94d2c7e1f35
Revises: 7e3b9c1d5a20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a94d2c7e1f35"
down_revision = "7e3b9c1d5a20"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chain_transfers",
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("wallet", sa.String(length=44), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("asset", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_valid_block_height", sa.BigInteger(), nullable=False),
        sa.Column("wire", sa.String(length=2048), nullable=False),
        sa.Column("slot", sa.BigInteger(), nullable=True),
        sa.Column("command_from", sa.BigInteger(), nullable=True),
        sa.Column("command_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("signature"),
    )
    with op.batch_alter_table("chain_transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_transfers_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chain_transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_transfers_status"))
    op.drop_table("chain_transfers")
