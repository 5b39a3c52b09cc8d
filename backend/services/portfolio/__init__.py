"""The account's portfolio over time: its equity curve."""
