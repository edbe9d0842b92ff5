"""What the mock service needs from outside (policy, thread links) and what a tick returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.domain.debrief import Debrief
from bot.domain.interview import InterviewSession


@dataclass(frozen=True)
class MockPolicy:
    """A server's limits for mocks; tokens count input, output and cache tokens alike."""

    daily_token_budget: int = 200_000
    mock_limit_per_member: int = 3
    private_threads: bool = True
    timezone: str = "UTC"


class PolicyRepository(Protocol):
    async def policy(self, guild_id: int) -> MockPolicy:
        """The server's policy; the defaults when the server has no settings yet."""
        ...

    async def tokens_since(self, guild_id: int, since: datetime) -> int: ...

    async def mocks_started(self, guild_id: int, user_id: int, since: datetime) -> int: ...


class ThreadLinkRepository(Protocol):
    """Which chat thread each interview runs in (the interview repository, in practice)."""

    async def set_thread(self, session_id: int, thread_id: int) -> None: ...

    async def by_thread(self, thread_id: int) -> InterviewSession | None: ...

    async def thread_of(self, session_id: int) -> int | None: ...


DebriefListener = Callable[[InterviewSession, Debrief], Awaitable[None]]


class TickKind(StrEnum):
    NONE = "none"
    WARNING = "warning"
    WRAP_UP = "wrap_up"
    IDLE = "idle"


@dataclass(frozen=True)
class Tick:
    """What a periodic check did: a text to post, and the debrief if the mock ended."""

    kind: TickKind
    text: str | None = None
    debrief: Debrief | None = None
