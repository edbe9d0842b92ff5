"""Ports of progress, leaderboards and review, with the values crossing them.

The store implements them in :mod:`bot.store.progress` and
:mod:`bot.store.review_cards`; each method is one or two aggregate queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.domain.models import Confidence
from bot.domain.progress import AnswerRecord
from bot.domain.review import ReviewCard


@dataclass(frozen=True)
class Standing:
    """A member's totals over a period (and round): the raw material of a board."""

    user_id: int
    display_name: str
    hidden: bool
    points: float
    answered: int
    credit: float


@dataclass(frozen=True)
class MockResult:
    started_at: datetime
    round: str
    score: float
    recommended_topics: tuple[str, ...]


@dataclass(frozen=True)
class DayStat:
    """The group on one posted day: members who answered and their mean credit."""

    local_date: date
    participants: int
    mean_credit: float


@dataclass(frozen=True)
class TopicStat:
    topic: str
    answered: int
    credit: float


@dataclass(frozen=True)
class DailyOutcome:
    """A graded daily answer not yet turned into a review card."""

    posting_id: int
    question_id: str
    credit: float
    confidence: Confidence | None
    answered_at: datetime


class ProgressRepository(Protocol):
    async def member_records(self, guild_id: int, user_id: int) -> list[AnswerRecord]:
        """The member's daily answers, oldest first, with their confidence."""
        ...

    async def posted_dates(self, guild_id: int) -> list[date]: ...

    async def standings(
        self, guild_id: int, start: date | None, end: date | None, round_: str | None
    ) -> list[Standing]:
        """Totals per member who answered in [start, end] (inclusive; None = open)."""
        ...

    async def mock_results(self, guild_id: int, user_id: int) -> list[MockResult]: ...

    async def daily_stats(self, guild_id: int, start: date, end: date) -> list[DayStat]: ...

    async def topic_stats(self, guild_id: int, start: date, end: date) -> list[TopicStat]: ...

    async def member(self, guild_id: int, user_id: int) -> tuple[str, bool] | None:
        """(display name, hidden) or None for someone who never answered."""
        ...

    async def set_hidden(
        self, guild_id: int, user_id: int, display_name: str, hidden: bool, now: datetime
    ) -> None: ...


class ReviewCardRepository(Protocol):
    async def get(self, guild_id: int, user_id: int, question_id: str) -> ReviewCard | None: ...

    async def for_member(self, guild_id: int, user_id: int) -> list[ReviewCard]: ...

    async def for_question(
        self, guild_id: int, question_id: str, user_ids: Sequence[int]
    ) -> list[ReviewCard]: ...

    async def due(
        self, guild_id: int, user_id: int, now: datetime, limit: int
    ) -> list[ReviewCard]: ...

    async def due_count(self, guild_id: int, user_id: int, now: datetime) -> int: ...

    async def save(self, cards: Sequence[ReviewCard]) -> None:
        """Insert or replace each card."""
        ...

    async def add_new(self, cards: Sequence[ReviewCard]) -> int:
        """Insert cards a member does not have yet; returns how many were added."""
        ...

    async def uncarded_answers(self, guild_id: int, user_id: int) -> list[DailyOutcome]:
        """Graded daily answers of the member whose question has no card yet."""
        ...

    async def posting_outcomes(self, posting_id: int) -> list[tuple[int, int, DailyOutcome]]:
        """(guild_id, user_id, outcome) for every scored answer of a posting."""
        ...
