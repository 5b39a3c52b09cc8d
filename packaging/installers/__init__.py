"""Build steps for the QuantDesk installers (run by packaging/build_installers.py)."""
