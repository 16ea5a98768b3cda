"""Raw frames: one WebSocket text frame built once and written as-is to many sockets.

Frames from server to client are not masked (RFC 6455, section 5.1), so the bytes of a frame
are the same for every recipient. A room builds the frames of an event (or of a burst of
events) once, and each delivery is then one `transport.write`. Through the ASGI `send`, uvicorn
would encode the text, build the frame and join its chunks again for every recipient, and a
burst of k events would cost k writes per socket instead of one.

This reaches into uvicorn's sans-I/O WebSocket protocol, the one `make run` and the tests
serve with (`--ws websockets-sansio`). `open_wire` recognises it behind the ASGI `send` the app
was handed and returns None for anything else (wsproto, test clients, a negotiated extension),
which keep using `send`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SANS_IO_PROTOCOL = "WebSocketsSansIOProtocol"


def text_frame(text: str) -> bytes:
    """One final, unmasked text frame carrying `text`."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 65536:
        return b"\x81\x7e" + size.to_bytes(2, "big") + payload
    return b"\x81\x7f" + size.to_bytes(8, "big") + payload


class Wire:
    """Direct writes to one accepted socket, in the order of everything else sent on it (the
    server's own frames, pings and closes go through the same transport)."""

    __slots__ = ("_protocol", "_transport")

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol
        self._transport = protocol.transport

    def write(self, frames: bytes) -> bool:
        """Write `frames` now, unless the socket cannot take them (closing, or paused because
        the peer stopped reading); then nothing is written and the answer is False."""
        protocol = self._protocol
        if protocol.close_sent or protocol.disconnected or not protocol.writable.is_set() \
                or self._transport.is_closing():
            return False
        self._transport.write(frames)
        return True


def open_wire(send: Callable[..., Any]) -> Wire | None:
    """A `Wire` for the socket behind the server's ASGI `send`, if the server is uvicorn's
    sans-I/O protocol, the handshake is done and no extension (compression) was negotiated."""
    protocol = getattr(send, "__self__", None)
    if type(protocol).__name__ != SANS_IO_PROTOCOL or not getattr(protocol, "handshake_complete", False):
        return None
    connection = getattr(protocol, "conn", None)
    if connection is None or getattr(connection, "extensions", None):
        return None
    return Wire(protocol)
