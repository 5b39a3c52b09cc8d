"""The wire contract: pydantic models of every REST body and stream message."""
