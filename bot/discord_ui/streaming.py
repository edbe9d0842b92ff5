"""Showing a streamed reply in Discord: one message edited as text arrives.

Reading and writing are decoupled. Whoever reads the model's stream calls
:meth:`StreamRenderer.update`, which only records the newest text and never
waits; the renderer's own task writes to Discord, at most once per
``interval`` seconds per thread, coalescing everything that arrived meanwhile
(the latest text wins). Every write, from every thread, first takes a token
from one bot-wide :class:`EditBudget`, so many mocks at once stay under
Discord's rate limits instead of discovering them with 429s. Text past
:data:`~bot.domain.message_split.TARGET` characters continues in a new message
(see :mod:`bot.domain.message_split`), and :meth:`StreamRenderer.finish` always
lands a final write with the exact text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

import discord

from bot.discord_ui.errors import NO_MENTIONS
from bot.domain.message_split import TARGET, split_message

log = logging.getLogger(__name__)

HARD_LIMIT = 2000
Channel = discord.Thread | discord.TextChannel | discord.PartialMessageable
INTERRUPTED = " — interrupted"


class EditBudget:
    """A token bucket: on average ``rate`` writes a second, bursts of up to ``burst``.

    Shared by every renderer of the bot. Waiters are served in arrival order.
    """

    def __init__(
        self, rate: float = 4.0, burst: int = 4, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._stamp = clock()
        self._lock = asyncio.Lock()
        self.granted = 0

    async def acquire(self) -> None:
        """Wait for one write's worth of budget."""
        async with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    self.granted += 1
                    return
                await asyncio.sleep((1 - self._tokens) / self._rate)


class Writer(Protocol):
    """Where a renderer writes: a thread, in production."""

    async def post(self, content: str, view: discord.ui.View | None) -> int:
        """Send a message; returns its id."""
        ...

    async def edit(self, message_id: int, content: str, view: discord.ui.View | None) -> None: ...

    def typing(self) -> AbstractAsyncContextManager[object]: ...


class ChannelWriter:
    """A :class:`Writer` over a thread or channel; never pings anyone."""

    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    async def post(self, content: str, view: discord.ui.View | None) -> int:
        if view is None:
            message = await self._channel.send(content, allowed_mentions=NO_MENTIONS)
        else:
            message = await self._channel.send(content, allowed_mentions=NO_MENTIONS, view=view)
        return message.id

    async def edit(self, message_id: int, content: str, view: discord.ui.View | None) -> None:
        partial = self._channel.get_partial_message(message_id)
        if view is None:
            await partial.edit(content=content, allowed_mentions=NO_MENTIONS)
        else:
            await partial.edit(content=content, allowed_mentions=NO_MENTIONS, view=view)

    def typing(self) -> AbstractAsyncContextManager[object]:
        return self._channel.typing()


class StreamRenderer:
    """Owns the Discord writes of one interviewer turn in one thread.

    ``start()`` shows the typing indicator until the first text; ``update()``
    and ``finish()`` as described in the module docstring. ``posted`` holds
    the ids of the messages written, in order.
    """

    def __init__(
        self,
        writer: Writer,
        budget: EditBudget,
        *,
        interval: float = 1.0,
        target: int = TARGET,
    ) -> None:
        self._writer = writer
        self._budget = budget
        self._interval = interval
        self._target = target
        self._text = ""
        self._shown: list[str] = []
        self.posted: list[int] = []
        self._changed = asyncio.Event()
        self._finishing = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._typing: contextlib.AsyncExitStack | None = None
        self.writes = 0

    @property
    def text(self) -> str:
        return self._text

    async def start(self) -> None:
        self._typing = contextlib.AsyncExitStack()
        try:
            await self._typing.enter_async_context(self._writer.typing())
        except discord.HTTPException:
            log.info("Could not show the typing indicator")
        self._task = asyncio.create_task(self._run(), name="stream-renderer")

    def update(self, text: str) -> None:
        """Record the reply so far; returns at once (the writer task catches up)."""
        self._text = text
        self._changed.set()

    async def finish(self, *, suffix: str = "", view: discord.ui.View | None = None) -> None:
        """Stop the periodic writes and land the exact final text (plus ``suffix``).

        ``view`` goes on the last message. Discord errors are logged, not raised:
        the turn is already stored, and a lost edit must not lose the interview.
        """
        self._finishing.set()
        if self._task is not None:
            await self._task
        await self._stop_typing()
        parts = split_message(self._text, self._target) if self._text else []
        if suffix:
            if parts and len(parts[-1]) + len(suffix) <= HARD_LIMIT:
                parts[-1] += suffix
            else:
                parts.append(suffix.strip())
        try:
            await self._write(parts, view, final=True)
        except discord.HTTPException:
            log.exception("The final write of a streamed reply failed")

    async def aclose(self) -> None:
        """Stop without a final write (the thread is gone or the bot is closing)."""
        self._finishing.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._stop_typing()

    async def _stop_typing(self) -> None:
        if self._typing is not None:
            typing, self._typing = self._typing, None
            with contextlib.suppress(discord.HTTPException):
                await typing.aclose()

    async def _run(self) -> None:
        while not self._finishing.is_set():
            await self._wait(self._changed)
            if self._finishing.is_set():
                return
            self._changed.clear()
            await self._stop_typing()
            try:
                await self._write(split_message(self._text, self._target), None, final=False)
            except discord.HTTPException:
                log.warning("An interim edit failed; the final write will catch up")
            await self._wait_for_interval()

    async def _wait(self, event: asyncio.Event) -> None:
        finishing = asyncio.ensure_future(self._finishing.wait())
        changed = asyncio.ensure_future(event.wait())
        try:
            await asyncio.wait({finishing, changed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            finishing.cancel()
            changed.cancel()

    async def _wait_for_interval(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._finishing.wait(), self._interval)

    async def _write(self, parts: list[str], view: discord.ui.View | None, final: bool) -> None:
        """Bring the posted messages in line with ``parts`` (only what changed is written)."""
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            part_view = view if last and final else None
            if not part:
                continue
            if index < len(self._shown):
                if self._shown[index] == part and part_view is None:
                    continue
                await self._budget.acquire()
                await self._writer.edit(self.posted[index], part, part_view)
            else:
                await self._budget.acquire()
                self.posted.append(await self._writer.post(part, part_view))
                self._shown.append("")
            self._shown[index] = part
            self.writes += 1
