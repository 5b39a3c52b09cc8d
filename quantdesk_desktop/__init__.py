"""QuantDesk workstation: the PySide6 desktop application."""
