"""The workstation's windows: the main window with its docks, the status bar, workspaces."""
