"""The gateway's REST routes, one module per resource."""
