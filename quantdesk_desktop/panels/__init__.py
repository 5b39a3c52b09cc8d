"""The workstation's dockable panels."""
