"""The workstation's local cache: the account's history in SQLite (WAL), one file per
account and backend profile, synced incrementally and readable with no backend at all."""
