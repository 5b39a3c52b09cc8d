"""Leases: which process owns a piece of work (a market's matching) for now.

A lease names its owner and runs out at ``expires_at`` on the database's clock. The owner
renews it well before then; another process may take it only once it has run out. Each
change of owner raises ``epoch``, so a former owner's late write can be told apart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, String
from sqlmodel import Field, SQLModel


class Lease(SQLModel, table=True):
    """One named lease and its current owner."""

    __tablename__ = "leases"

    name: str = Field(sa_column=Column(String(64), primary_key=True))
    owner: str = Field(sa_column=Column(String(128), nullable=False))
    epoch: int = Field(sa_column=Column(BigInteger, nullable=False))
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
