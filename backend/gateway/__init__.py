"""The FastAPI gateway: REST routes, the WebSocket hub, auth and rate limits."""
