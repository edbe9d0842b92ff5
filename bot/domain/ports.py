"""Ports: what the services need from the outside, named by role.

The store implements the repositories, :mod:`bot.llm` the grader, the Discord
layer the publisher; tests and the terminal supply their own where useful.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.domain.grading import Grade
from bot.domain.models import (
    AnswerSubmission,
    Confidence,
    GuildConfig,
    Posting,
    ScoreRow,
    StoredAnswer,
    SubmitReceipt,
)
from bot.domain.questions import Question


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class GuildRepository(Protocol):
    async def get(self, guild_id: int) -> GuildConfig | None: ...
    async def save(self, config: GuildConfig, now: datetime) -> None: ...
    async def all_set_up(self) -> list[GuildConfig]: ...
    async def set_paused(self, guild_id: int, paused: bool, now: datetime) -> None: ...


class PostingRepository(Protocol):
    async def claim(
        self,
        guild_id: int,
        local_date: date,
        cohort_day: int,
        question_id: str,
        channel_id: int,
        now: datetime,
        closes_at: datetime,
    ) -> Posting | None:
        """Record the intent to post; None when that local date is already claimed."""
        ...

    async def mark_posted(self, posting_id: int, message_id: int, now: datetime) -> None: ...
    async def mark_skipped(self, posting_id: int) -> None: ...
    async def get(self, posting_id: int) -> Posting | None: ...
    async def for_date(self, guild_id: int, local_date: date) -> Posting | None: ...
    async def unsent(self) -> list[Posting]: ...
    async def due_for_reveal(self, now: datetime) -> list[Posting]: ...
    async def open_postings(self) -> list[Posting]: ...
    async def history(self, guild_id: int) -> list[str]: ...
    async def posted_dates(self, guild_id: int) -> list[date]: ...
    async def close(self, posting_id: int, now: datetime) -> bool:
        """Mark revealed; False if it already was (another reveal won the race)."""
        ...

    async def set_reveal_message(
        self, posting_id: int, message_id: int, thread_id: int | None
    ) -> None: ...


class AnswerRepository(Protocol):
    async def save_batch(self, submissions: Sequence[AnswerSubmission]) -> list[SubmitReceipt]:
        """Commit a batch in one transaction; one receipt per submission, in order."""
        ...

    async def for_posting(self, posting_id: int) -> list[StoredAnswer]: ...
    async def get(self, posting_id: int, user_id: int) -> StoredAnswer | None: ...
    async def save_grades(self, grades: Sequence[tuple[int, int, Grade]]) -> None:
        """Store (answer id, revision, grade); a grade for a stale revision is dropped."""
        ...

    async def set_confidence(
        self, posting_id: int, user_id: int, confidence: Confidence
    ) -> bool: ...


class ScoreRepository(Protocol):
    async def replace_for_posting(self, posting_id: int, rows: Sequence[ScoreRow]) -> None: ...
    async def answered_dates(self, guild_id: int, user_id: int) -> list[date]: ...
    async def display_names(self, guild_id: int, user_ids: Sequence[int]) -> dict[int, str]: ...


class OpenGrader(Protocol):
    """Grades free text against a question's rubric."""

    async def grade(self, question: Question, answer: str) -> Grade: ...


@dataclass(frozen=True)
class RevealSummary:
    """What the reveal post shows, computed by the services."""

    posting: Posting
    question: Question
    participants: int
    choice_counts: tuple[int, ...]
    mean_credit: float
    top: tuple[tuple[str, float], ...]


class Publisher(Protocol):
    """Where questions and reveals appear (a Discord channel, or a terminal)."""

    async def post_question(self, guild: GuildConfig, posting: Posting, question: Question) -> int:
        """Send the question; returns the message id."""
        ...

    async def find_question(self, posting: Posting) -> int | None:
        """The message id of this posting if it was sent before a crash, else None."""
        ...

    async def post_reveal(
        self, guild: GuildConfig, summary: RevealSummary
    ) -> tuple[int, int | None]:
        """Send the reveal; returns (message id, discussion thread id or None)."""
        ...
