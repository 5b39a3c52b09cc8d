"""The WebSocket stream: one socket per client, channels, sequence numbers, trading ops."""
