"""The storage port for mock interviews; :mod:`bot.store.interviews` implements it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.interview import InterviewSession, MockSetup, NewTurn, Turn


class InterviewRepository(Protocol):
    async def create(
        self, setup: MockSetup, guild_id: int, user_id: int, started_at: datetime
    ) -> InterviewSession | None:
        """Insert an active session; None if the member already has one in this server.

        The check and the insert are one statement, so two quick starts cannot
        both succeed.
        """
        ...

    async def get(self, session_id: int) -> InterviewSession | None:
        """The session with all its turns in ``seq`` order."""
        ...

    async def active_for(self, guild_id: int, user_id: int) -> InterviewSession | None: ...

    async def list_active(self) -> list[InterviewSession]:
        """Every active session with its turns (what a restart resumes)."""
        ...

    async def append_turn(self, session_id: int, turn: NewTurn) -> Turn:
        """Store a turn with the next ``seq`` and return it."""
        ...

    async def add_paused(self, session_id: int, seconds: float) -> None: ...

    async def increment_hints(self, session_id: int) -> None: ...

    async def mark_offline(self, session_id: int) -> None: ...

    async def finish(
        self, session_id: int, ended_at: datetime, debrief_json: str, score: float, offline: bool
    ) -> bool:
        """End an active session; False if it had already ended (another end won)."""
        ...
