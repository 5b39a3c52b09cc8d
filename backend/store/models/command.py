"""The command log: every accepted change to the trading state, in order.

The matching engines and the ledger are deterministic given their inputs, so replaying
this log rebuilds them exactly (queue priority, iceberg slices and trailing stops
included) after a restart. The order, trade, position and balance tables are written in
the same transaction as each command, for queries.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Text, text
from sqlmodel import Field, SQLModel

from backend.store.columns import epoch_ms, serial_id


class Command(SQLModel, table=True):
    """One accepted command with its JSON payload."""

    __tablename__ = "commands"
    __table_args__ = (
        # only commands from the bus have one: the others cost no index entry
        Index(
            "uq_commands_request_id",
            "request_id",
            unique=True,
            sqlite_where=text("request_id IS NOT NULL"),
            postgresql_where=text("request_id IS NOT NULL"),
        ),
    )

    id: int | None = serial_id()
    kind: str = Field(max_length=24)
    market: str | None = Field(default=None, max_length=32)
    """The command's market (None: no single one); the log is read in id order only."""
    payload: str = Field(sa_column=Column(Text, nullable=False))
    at_ms: int = epoch_ms()
    request_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    """The id a gateway gave the command on the bus (None for commands made in the
    engine's own process): a command redelivered after an engine failover is recognised
    as already committed."""
