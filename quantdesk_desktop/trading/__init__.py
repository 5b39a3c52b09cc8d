"""Trading logic shared by the panels and the hotkeys: the order bodies they send."""
