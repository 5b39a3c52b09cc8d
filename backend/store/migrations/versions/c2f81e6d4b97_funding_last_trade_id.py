"""funding periods record the market's last trade id

Revision ID: c2f81e6d4b97
Revises: a94d2c7e1f35
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c2f81e6d4b97"
down_revision = "a94d2c7e1f35"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("funding_rates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_trade_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("funding_rates", schema=None) as batch_op:
        batch_op.drop_column("last_trade_id")
