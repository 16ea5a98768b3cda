"""Group commit for the WebSocket hot path: `send` frames that arrive for one channel while its
previous transaction is still running are posted together, in one transaction, by
`chat.post_messages`. Each caller still gets its own message and seq back; the order of seqs
is the order the frames were queued in. Under light load a batch is one message, so nothing
waits for company.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import User
from app.realtime.hub import Hub
from app.schemas.chat import Author, MessagePublic
from app.services import chat
from app.services.lounges import ChannelAccess

log = logging.getLogger("lounge.chat.writer")
MAX_BATCH = 200

Pending = tuple[chat.Post, "asyncio.Future[tuple[MessagePublic, bool]]"]


class ChatWriter:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], hub: Hub) -> None:
        self.sessionmaker = sessionmaker
        self.hub = hub
        self._pending: dict[str, list[Pending]] = {}
        self._access: dict[str, ChannelAccess] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def post(self, *, access: ChannelAccess, author: User | Author, body: str,
                   client_id: str | None) -> tuple[MessagePublic, bool]:
        """Post through the channel's next batch; raises what `chat.post_messages` raises."""
        chat.check_body(body)
        future: asyncio.Future[tuple[MessagePublic, bool]] = asyncio.get_running_loop().create_future()
        channel_id = access.channel_id
        queue = self._pending.setdefault(channel_id, [])
        queue.append((chat.Post(author, body, client_id), future))
        if channel_id not in self._access:
            self._access[channel_id] = access
            task = asyncio.create_task(self._drain(channel_id), name=f"chat-writer-{channel_id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await future

    async def _drain(self, channel_id: str) -> None:
        try:
            while queue := self._pending.pop(channel_id, None):
                if len(queue) > MAX_BATCH:
                    self._pending[channel_id] = queue[MAX_BATCH:] + self._pending.get(channel_id, [])
                    queue = queue[:MAX_BATCH]
                await self._write(self._access[channel_id], queue)
        finally:
            # No await since the queue was found empty, so nothing can have arrived meanwhile.
            self._access.pop(channel_id, None)

    async def _write(self, access: ChannelAccess, batch: list[Pending]) -> None:
        try:
            async with self.sessionmaker() as db:
                results = await chat.post_messages(db, hub=self.hub, access=access, optimistic=True,
                                                   posts=[post for post, _ in batch])
        except Exception as exc:  # every waiting sender hears about it
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            try:
                await task
            except (asyncio.CancelledError, Exception):
                log.debug("chat writer stopped", exc_info=True)
