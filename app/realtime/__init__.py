"""Realtime delivery: the hub (a doorbell between instances), per-channel rooms in this
process, and the WebSocket connections they feed."""
