"""leases and the bus request id of each command, for several processes

Revision ID: f3a9c8d2b1e7
Revises: e8a1f0b2c3d4
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f3a9c8d2b1e7"
down_revision = "e8a1f0b2c3d4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("commands") as batch:
        batch.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_commands_request_id", ["request_id"])
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("leases")
    with op.batch_alter_table("commands") as batch:
        batch.drop_constraint("uq_commands_request_id", type_="unique")
        batch.drop_column("request_id")
