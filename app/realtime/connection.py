"""One chat WebSocket: a bounded send queue drained by a single writer task, and a reader that
enforces the protocol's limits (frame size, rates, JSON shape) and turns `send` and `typing`
frames into service calls.

The writer first sends `hello` and every message after the client's `after`, read from the
database, then the live events the room queued meanwhile, skipping by `seq` what the backlog
already held. A client that stopped reading is closed with 1013 and never holds up the room:
when its queue fills up, or sooner, when the bytes it has not taken yet (`SendBuffer`: the
transport's buffer and the kernel's send queue, plus what waits in the queue) stay over
`chat_slow_consumer_bytes` for `chat_slow_consumer_seconds`. The close frame goes out when its
socket drains, or the socket is dropped.

Fast path: while the writer is idle (nothing queued, nothing in flight), `offer` writes at
once, so a delivery costs no queue and no task switch. On uvicorn's sans-I/O server that is a
raw write of frames the room built once for everyone (`app/realtime/wire.py`), and a `Burst`
of events goes out as one write. On other servers `offer` steps the send coroutine itself:
when the socket is writable it completes without ever suspending; when it would wait (the
client's buffer is full), it suspends *before* writing anything, so the attempt is dropped.
Either way, a frame that cannot be written now goes through the queue and the writer task.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import deque
from typing import TYPE_CHECKING, Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from app.db import refusal
from app.errors import AppError, Conflict, InvalidInput, NotFound
from app.realtime import protocol
from app.realtime.send_buffer import open_send_buffer
from app.realtime.server_send import SCOPE_KEY as SERVER_SEND
from app.realtime.wire import open_wire, text_frame
from app.schemas.chat import MAX_BODY, Author

if TYPE_CHECKING:
    from app.realtime.rooms import Room, Rooms
    from app.services.lounges import ChannelAccess

log = logging.getLogger("lounge.ws")

MAX_FRAME_BYTES = 64 * 1024
BACKLOG_PAGE = 200
TYPING_EVERY = 2.0
CLOSE_TIMEOUT = 10.0
FLOOD_WINDOW = 10.0
_ids = itertools.count(1)

# Close codes (RFC 6455 and the IANA registry).
POLICY_VIOLATION, TOO_BIG, GOING_AWAY, SERVICE_RESTART, TRY_AGAIN_LATER = 1008, 1009, 1001, 1012, 1013


class TokenBucket:
    __slots__ = ("capacity", "rate", "tokens", "stamp")

    def __init__(self, capacity: int, rate: float) -> None:
        self.capacity, self.rate = capacity, rate
        self.tokens = float(capacity)
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0 when a token was taken, else the seconds until one is free."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class Burst:
    """Events for every socket of a room, in order, each serialised once: its text, its ASGI
    send message and, together, the frames of all of them for a single raw write."""

    __slots__ = ("events", "messages", "lowest_seq", "highest_seq", "_frames")

    def __init__(self, events: list[tuple[int, str]]) -> None:
        self.events = events
        self.messages = [{"type": "websocket.send", "text": text} for _, text in events]
        seqs = [seq for seq, _ in events if seq]
        self.lowest_seq = min(seqs, default=0)
        self.highest_seq = max(seqs, default=0)
        self._frames: bytes | None = None

    @property
    def frames(self) -> bytes:
        if self._frames is None:
            self._frames = b"".join(text_frame(text) for _, text in self.events)
        return self._frames


class Connection:
    """One accepted socket. An idle connection owns no task of its own besides the handler
    that reads from it: its send queue and writer task exist only while frames wait."""

    __slots__ = ("id", "websocket", "rooms", "author", "user_id", "user", "access", "channel_id",
                 "can_send", "after", "last_sent", "queue", "frames", "strikes", "last_typing",
                 "close_code", "close_reason", "idle", "_catching_up", "_writer", "_task", "room",
                 "server_send", "wire", "send_buffer", "queued", "behind_since", "next_check",
                 "__weakref__")

    def __init__(self, websocket: WebSocket, *, rooms: Rooms, author: Author, access: ChannelAccess,
                 can_send: bool, after: int | None) -> None:
        settings = rooms.settings
        self.id = f"{rooms.instance}:{next(_ids)}"
        self.websocket = websocket
        # Live events skip Starlette's per-frame wrappers (see app/realtime/server_send.py).
        self.server_send = websocket.scope.get(SERVER_SEND, websocket.send)
        self.wire = open_wire(self.server_send)
        self.send_buffer = open_send_buffer(self.server_send)
        self.queued = 0  # characters waiting in `queue`
        self.behind_since: float | None = None  # unsent bytes over the mark since then
        self.next_check = 0.0
        self.rooms = rooms
        self.author = author
        self.user_id = author.id
        self.user = {"id": author.id, "display_name": author.display_name}
        self.access = access
        self.channel_id = access.channel_id
        self.can_send = can_send
        self.after = after
        self.last_sent = 0
        self.queue: asyncio.Queue[tuple[int, str]] | None = None
        self.frames = TokenBucket(settings.chat_frame_burst, settings.chat_frames_per_second)
        self.strikes: deque[float] | None = None
        self.last_typing = 0.0
        self.close_code: int | None = None
        self.close_reason = ""
        self.idle = False  # nothing queued or in flight: offers may write directly
        self._catching_up = True
        self._writer: asyncio.Task[None] | None = None
        self._task: asyncio.Task[Any] | None = None
        self.room: Room | None = None

    # ---- called by the room ----------------------------------------------------------------

    def offer_burst(self, burst: Burst) -> None:
        """Every event of `burst`, in one write when the socket is idle and needs them all."""
        if not self._keeping_up():
            return
        if self.idle and self.wire is not None and self.close_code is None \
                and (not burst.lowest_seq or burst.lowest_seq > self.last_sent) \
                and self.wire.write(burst.frames):
            if burst.highest_seq:
                self.last_sent = burst.highest_seq
            return
        for (seq, text), message in zip(burst.events, burst.messages, strict=True):
            self.offer(seq, text, message)

    def offer(self, seq: int, text: str, message: dict[str, Any] | None = None) -> None:
        """Send or queue an event without ever waiting; a full queue means this client stopped
        reading. `message` is the ASGI send message for `text`, shared by every recipient."""
        if not self._keeping_up():
            return
        if self.idle:
            if seq and seq <= self.last_sent:
                return
            if self._write_now(text, message):
                if seq:
                    self.last_sent = seq
                return
            if self.close_code is not None:
                return
            self.idle = False
        if self.queue is None:
            self.queue = asyncio.Queue(self.rooms.settings.chat_send_queue)
        try:
            self.queue.put_nowait((seq, text))
        except asyncio.QueueFull:
            log.info("closing %s: send queue full (slow consumer)", self.id)
            self.close(TRY_AGAIN_LATER, "too slow; reconnect with after=")
            return
        self.queued += len(text)
        if self._writer is None and not self._catching_up:
            self._writer = asyncio.create_task(self._drain(), name=f"ws-writer-{self.id}")

    def _keeping_up(self) -> bool:
        """False once this socket is closed, or is closed now because its unsent bytes have stayed
        over the mark for the grace period. Looked at most four times a grace period, and not
        while the client is catching up from the database (that goes at the client's pace)."""
        if self.close_code is not None:
            return False
        if self.send_buffer is None or self._catching_up:
            return True
        now = time.monotonic()
        if now < self.next_check:
            return True
        settings = self.rooms.settings
        grace = settings.chat_slow_consumer_seconds
        self.next_check = now + grace / 4
        unsent = self.send_buffer.unsent() + self.queued
        if unsent <= settings.chat_slow_consumer_bytes:
            self.behind_since = None
        elif self.behind_since is None:
            self.behind_since = now
        elif now - self.behind_since >= grace:
            log.info("closing %s: %d bytes unsent for %.1f s (slow consumer)", self.id, unsent,
                     now - self.behind_since)
            self.close(TRY_AGAIN_LATER, "too far behind; reconnect with after=")
            return False
        return True

    def _write_now(self, text: str, message: dict[str, Any] | None) -> bool:
        """Write one event if the socket takes it without waiting; False if it was not written."""
        if self.wire is not None:
            return self.wire.write(text_frame(text))
        attempt = self.server_send(message or {"type": "websocket.send", "text": text})
        try:
            attempt.send(None)
        except StopIteration:
            return True
        except Exception:
            self.close(GOING_AWAY)
            return False
        attempt.close()  # it would have waited for the socket: nothing was written
        return False

    def close(self, code: int, reason: str = "") -> None:
        """Ask the handler to close the socket with `code` (at once, from any task)."""
        if self.close_code is not None:
            return
        self.close_code, self.close_reason = code, reason
        task = self._task
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    # ---- lifecycle ---------------------------------------------------------------------------

    async def serve(self) -> None:
        """Run until the client leaves or is closed; the socket is accepted already. The room
        is joined before the backlog is read, so nothing published meanwhile is missed."""
        self._task = asyncio.current_task()
        try:
            self.room = await self.rooms.join(self)
            await self._catch_up()
            self._catching_up = False
            if self.queue is not None and not self.queue.empty():
                self._writer = asyncio.create_task(self._drain(), name=f"ws-writer-{self.id}")
            else:
                self.idle = True
            await self._read()
        except asyncio.CancelledError:
            if self.close_code is None:
                raise
            self._task.uncancel()  # our own request to close, from `close()`
        except (WebSocketDisconnect, RuntimeError, OSError):
            self.close(GOING_AWAY)
        finally:
            self._task = None
            self.idle = False
            await self.rooms.leave(self)
            if self._writer is not None:
                self._writer.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await self._writer
            await self._send_close()

    async def _send_close(self) -> None:
        if self.close_code is None or self.websocket.application_state != WebSocketState.CONNECTED:
            return
        with contextlib.suppress(Exception):
            # Waits for the socket to drain (uvicorn's flow control); a peer that never reads
            # again is dropped when the timeout ends the handler.
            await asyncio.wait_for(self.websocket.close(self.close_code, self.close_reason), CLOSE_TIMEOUT)

    # ---- writing -----------------------------------------------------------------------------

    async def _drain(self) -> None:
        """Send what is queued, in order, then go idle again."""
        ws, queue = self.websocket, self.queue
        assert queue is not None
        try:
            while not queue.empty():
                seq, text = queue.get_nowait()
                self.queued -= len(text)
                if seq:
                    if seq <= self.last_sent:
                        continue  # the backlog already carried it
                    self.last_sent = seq
                await ws.send_text(text)
            self.idle = self.close_code is None
        except (WebSocketDisconnect, RuntimeError, OSError):
            self.close(GOING_AWAY)
        finally:
            self._writer = None

    async def _catch_up(self) -> None:
        """`hello`, then every message after `after` straight from the database."""
        from app.services import chat

        rooms = self.rooms
        async with rooms.sessionmaker() as db:
            newest = await chat.last_seq(db, channel_id=self.channel_id)
        online, count = await rooms.online(self.channel_id)
        await self.websocket.send_text(
            protocol.hello_event(self.channel_id, newest, online, count, self.user))
        if self.after is None:
            self.last_sent = newest
            return
        self.last_sent = min(self.after, newest)
        while True:
            async with rooms.sessionmaker() as db:
                page = await chat.messages_after(db, channel_id=self.channel_id, after=self.last_sent,
                                                 limit=BACKLOG_PAGE)
            for message in page:
                await self.websocket.send_text(protocol.message_event(message).decode())
                self.last_sent = message.seq
            if len(page) < BACKLOG_PAGE:
                return

    # ---- reading -----------------------------------------------------------------------------

    async def _read(self) -> None:
        ws = self.websocket
        while self.close_code is None:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                self.close(GOING_AWAY)
                return
            text = message.get("text")
            if text is None:
                if len(message.get("bytes") or b"") > MAX_FRAME_BYTES:
                    self.close(TOO_BIG, "frames are limited to 64 KiB")
                    return
                self._refuse("binary_not_supported", "Send JSON text frames.")
                continue
            if len(text) > MAX_FRAME_BYTES // 4 and len(text.encode()) > MAX_FRAME_BYTES:
                self.close(TOO_BIG, "frames are limited to 64 KiB")
                return
            wait = self.frames.take()
            if wait:
                self._refuse("rate_limited", "Too many frames; slow down.", retry_after=round(wait, 2))
                continue
            try:
                frame = orjson.loads(text)
            except orjson.JSONDecodeError:
                self._refuse("invalid_json", "Frames must be JSON objects.")
                continue
            if not isinstance(frame, dict):
                self._refuse("invalid_json", "Frames must be JSON objects.")
                continue
            kind = frame.get("type")
            if kind == "send":
                await self._on_send(frame)
            elif kind == "typing":
                await self._on_typing()
            else:
                self._refuse("unknown_type", "Known types are 'send' and 'typing'.")

    def _refuse(self, code: str, detail: str, *, strike: bool = True, **extra: Any) -> None:
        self.offer(0, protocol.error_event(code, detail, **extra))
        if not strike:
            return
        now = time.monotonic()
        strikes = self.strikes = self.strikes if self.strikes is not None else deque()
        strikes.append(now)
        while strikes and strikes[0] < now - FLOOD_WINDOW:
            strikes.popleft()
        if len(strikes) >= self.rooms.settings.chat_flood_strikes:
            self.close(POLICY_VIOLATION, "flooding")

    async def _on_send(self, frame: dict[str, Any]) -> None:
        client_id, body = frame.get("client_id"), frame.get("body")
        if not self.can_send:
            self._refuse("forbidden", "This token lacks the 'chat' scope.", client_id=client_id)
            return
        if not isinstance(client_id, str) or not 1 <= len(client_id) <= 64 or not client_id.isascii() \
                or not client_id.isprintable() or " " in client_id:
            self._refuse("invalid_client_id", "client_id must be 1–64 printable ASCII characters.")
            return
        if not isinstance(body, str) or not body.strip() or len(body) > MAX_BODY:
            self._refuse("invalid_body", f"body must be 1–{MAX_BODY} characters.", client_id=client_id)
            return
        wait = self.rooms.message_bucket(self.user_id).take()
        if wait:
            self._refuse("rate_limited", "You are sending messages too fast.", client_id=client_id,
                         retry_after=round(wait, 2))
            return
        try:
            message, _ = await self.rooms.writer.post(access=self.access, author=self.author, body=body,
                                                      client_id=client_id)
        except NotFound:
            self.close(POLICY_VIOLATION, "not a member of this channel")
            return
        except Conflict as exc:
            self._refuse("chat_closed", exc.detail, strike=False, client_id=client_id)
            return
        except (InvalidInput, AppError) as exc:
            self._refuse("invalid_body", exc.detail, strike=False, client_id=client_id)
            return
        except Exception as exc:
            answer = refusal(exc, self.websocket.app.state.outages)
            if answer is None:
                raise
            # Not stored: the client keeps the message unacked and sends it again later.
            self._refuse("unavailable", answer.detail, strike=False, client_id=client_id,
                         retry_after=answer.retry_after)
            return
        self.offer(0, protocol.ack_event(client_id, message.seq, message.id))

    async def _on_typing(self) -> None:
        now = time.monotonic()
        if now - self.last_typing < TYPING_EVERY or not self.can_send:
            return
        self.last_typing = now
        await self.rooms.hub.publish(protocol.topic(self.channel_id),
                                     protocol.typing_event(self.channel_id, self.user))
