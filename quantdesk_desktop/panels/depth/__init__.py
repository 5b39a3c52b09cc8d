"""The Depth panel: a price ladder (DOM) to trade from, over a cumulative depth chart."""
