"""Durable state: SQLModel tables, repositories and migrations."""
