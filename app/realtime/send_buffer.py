"""`SendBuffer`: how many bytes one accepted socket has written but not delivered yet.

That is what the server's asyncio transport still holds (`get_write_buffer_size()`) plus, on
Linux, what the kernel's send queue holds (`SIOCOUTQ`: bytes the peer has not acknowledged).
The kernel part matters: a peer that stops reading lets the kernel take megabytes before the
transport buffers anything, so the transport alone would notice a stalled reader half a
minute late. `Connection` closes a socket whose unsent bytes stay over the mark
(`LOUNGE_CHAT_SLOW_CONSUMER_BYTES`) for a grace period.

The transport is reached the way `app/realtime/wire.py` reaches it: through the protocol
object behind the server's ASGI `send` (uvicorn's WebSocket protocols keep it as `transport`).
Every attribute is looked up with a fallback: a server where one is missing gets no
`SendBuffer`, its sockets keep only the send-queue rule, and the first of them logs one
warning. Where the kernel cannot be asked (not Linux, not a socket), only the transport counts.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

try:
    from fcntl import ioctl
    from termios import TIOCOUTQ
except ImportError:  # not a POSIX system
    ioctl, TIOCOUTQ = None, None  # type: ignore[assignment]

log = logging.getLogger("lounge.ws")

_INT = b"\0\0\0\0"
_warned = False


class SendBuffer:
    __slots__ = ("_transport", "_size", "_socket")

    def __init__(self, transport: Any, size: Callable[[], int], sock: Any) -> None:
        self._transport = transport
        self._size = size
        self._socket = sock

    def unsent(self) -> int:
        """Bytes written to this socket that the peer has not taken yet (0 once it is closing)."""
        if self._transport.is_closing():
            return 0
        unsent = self._size()
        if self._socket is not None:
            # The descriptor is asked for each time: a closed socket answers -1, and its old
            # number may already belong to another connection.
            fd = self._socket.fileno()
            if fd >= 0:
                try:
                    unsent += int.from_bytes(ioctl(fd, TIOCOUTQ, _INT), sys.byteorder, signed=True)
                except OSError:
                    self._socket = None
        return unsent


def open_send_buffer(send: Callable[..., Any]) -> SendBuffer | None:
    """A `SendBuffer` for the socket behind the server's ASGI `send`, or None (with one warning
    per process) when the server does not expose an asyncio transport that reports its buffer."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    size = getattr(transport, "get_write_buffer_size", None)
    is_closing = getattr(transport, "is_closing", None)
    try:
        usable = callable(is_closing) and isinstance(size(), int)  # type: ignore[misc]
    except Exception:
        usable = False
    if not usable:
        _warn_once(send)
        return None
    return SendBuffer(transport, size, _kernel_socket(transport))


def _kernel_socket(transport: Any) -> Any:
    """The transport's socket if the kernel will report its send queue, else None."""
    if ioctl is None:
        return None
    try:
        sock = transport.get_extra_info("socket")
        ioctl(sock.fileno(), TIOCOUTQ, _INT)
    except Exception:
        return None
    return sock


def _warn_once(send: Callable[..., Any]) -> None:
    global _warned
    if _warned:
        return
    _warned = True
    log.warning("chat sockets on this server (%s) do not report unsent bytes: slow readers are "
                "closed only when their send queue fills", type(getattr(send, "__self__", send)).__name__)
