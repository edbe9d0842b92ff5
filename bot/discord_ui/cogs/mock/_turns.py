"""A live mock thread's state, and streaming one interviewer turn into it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import discord

from bot.discord_ui.errors import NO_MENTIONS
from bot.discord_ui.mock_views import retry_view as make_retry_view
from bot.discord_ui.streaming import INTERRUPTED, StreamRenderer
from bot.domain.errors import InterviewerUnavailableError, StudybotError

log = logging.getLogger("bot.discord_ui.cogs.mock")  # the package's logger, as before the split

Stream = Callable[[], AsyncIterator[str]]


@dataclass(eq=False)
class _Thread:
    """What the runner knows about one live mock thread (a cache of the database)."""

    session_id: int
    user_id: int
    pending: list[str] = field(default_factory=list)
    debounce: asyncio.Task[None] | None = None
    turn: asyncio.Task[None] | None = None
    told: set[int] = field(default_factory=set)

    @property
    def busy(self) -> bool:
        return bool(self.pending) or (self.turn is not None and not self.turn.done())


async def interrupt(state: _Thread) -> None:
    """Cancel the thread's turn in flight (unless it is the caller) and wait for it."""
    turn = state.turn
    if turn is not None and not turn.done() and turn is not asyncio.current_task():
        turn.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await turn


async def stop(state: _Thread) -> None:
    """Drop the pending answer and its debounce, and interrupt the turn in flight."""
    if state.debounce is not None:
        state.debounce.cancel()
        state.debounce = None
    state.pending.clear()
    await interrupt(state)


async def play_turn(
    thread_id: int,
    channel: discord.PartialMessageable,
    renderer: StreamRenderer,
    state: _Thread,
    stream: Stream,
) -> bool:
    """Stream one turn through ``renderer``; False when it failed (told in the thread)."""
    await renderer.start()
    text = ""
    chunks = stream()
    try:
        try:
            async for chunk in chunks:
                text += chunk
                renderer.update(text)
        finally:  # close the model's stream now, even when cancelled
            aclose = getattr(chunks, "aclose", None)
            if aclose is not None:
                await aclose()
    except asyncio.CancelledError:
        await renderer.finish(suffix=INTERRUPTED if text else "")
        raise
    except InterviewerUnavailableError as error:
        retry = make_retry_view(state.session_id)
        await renderer.finish(suffix=INTERRUPTED if text else error.user_message, view=retry)
        return False
    except StudybotError as error:
        await renderer.finish()
        await channel.send(error.user_message, allowed_mentions=NO_MENTIONS)
        return False
    except Exception:
        log.exception("A mock turn failed in thread %s", thread_id)
        retry = make_retry_view(state.session_id)
        await renderer.finish(suffix=INTERRUPTED, view=retry)
        return False
    await renderer.finish()
    return True
