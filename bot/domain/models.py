"""Values the store hands back and the services pass around: frozen, typed, plain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.questions import Round, Track
from bot.domain.schedule import Schedule, parse_post_time


class PostingStatus(StrEnum):
    CLAIMED = "claimed"  # the day is ours; the message may or may not have been sent
    POSTED = "posted"  # the message exists; answers are open until closes_at
    REVEALED = "revealed"
    SKIPPED = "skipped"  # claimed, never sent, and its window passed


class Confidence(StrEnum):
    SURE = "sure"
    UNSURE = "unsure"
    GUESS = "guess"


@dataclass(frozen=True)
class GuildConfig:
    """A server's settings. ``channel_id`` None means setup has not run yet."""

    id: int
    name: str
    channel_id: int | None
    post_time: str
    timezone: str
    weekdays: frozenset[int]
    answer_window_minutes: int
    rounds: tuple[Round, ...]
    tracks: tuple[Track, ...]
    cohort_start: date | None
    mention_role_id: int | None
    paused: bool
    seed: str
    discussion_threads: bool = True
    weekly_recap: bool = True
    private_mock_threads: bool = True

    @property
    def schedule(self) -> Schedule:
        return Schedule(
            post_time=parse_post_time(self.post_time),
            zone=ZoneInfo(self.timezone),
            weekdays=self.weekdays,
            window=timedelta(minutes=self.answer_window_minutes),
        )

    @property
    def is_set_up(self) -> bool:
        return self.channel_id is not None and self.cohort_start is not None


@dataclass(frozen=True)
class Posting:
    id: int
    guild_id: int
    local_date: date
    cohort_day: int
    question_id: str
    channel_id: int
    message_id: int | None
    status: PostingStatus
    closes_at: datetime
    posted_at: datetime | None = None
    revealed_at: datetime | None = None
    reveal_message_id: int | None = None

    def is_open(self, now: datetime) -> bool:
        return self.status is PostingStatus.POSTED and now < self.closes_at


@dataclass(frozen=True)
class AnswerSubmission:
    """What a member sent: an option index or free text, at a time."""

    posting_id: int
    guild_id: int
    user_id: int
    display_name: str
    answered_at: datetime
    choice_index: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class StoredAnswer:
    id: int
    posting_id: int
    user_id: int
    choice_index: int | None
    text: str | None
    answered_at: datetime
    revision: int
    confidence: Confidence | None
    credit: float | None
    grade_json: str | None
    graded_revision: int | None
    override_credit: float | None = None

    @property
    def final_credit(self) -> float | None:
        return self.override_credit if self.override_credit is not None else self.credit

    @property
    def needs_grading(self) -> bool:
        return self.graded_revision != self.revision


class SubmitOutcome(StrEnum):
    RECORDED = "recorded"
    UNCHANGED = "unchanged"  # the same answer again: a double click
    CLOSED = "closed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SubmitReceipt:
    outcome: SubmitOutcome
    answer_id: int | None = None
    revision: int | None = None


@dataclass(frozen=True)
class ScoreRow:
    """A member's daily record for one posting."""

    posting_id: int
    user_id: int
    guild_id: int
    local_date: date
    question_id: str
    topic: str
    round: str
    credit: float
    points: float
    answered_at: datetime


@dataclass(frozen=True)
class ReportSummary:
    """What admins see for a question members reported or the group mostly missed."""

    posting_id: int
    question_id: str
    local_date: date
    flagged: bool
    reports: int
    reasons: tuple[str, ...]
