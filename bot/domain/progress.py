"""Progress statistics: pure functions over a member's answers and the group's standings.

Definitions (also in the README and /progress help):

- *Accuracy* is the mean credit of answers (partial credit counts partly), in [0, 1].
- An answer is *right* at credit >= 0.85 and *wrong* below 0.35 (as ``Grade.verdict``).
- *Calibration*: of the answers marked "sure", the share that were right.
- Ranks are competition ranks: equal points share a rank and the next rank skips
  ("1, 2, 2, 4"), so nobody is ranked above someone with the same score.
- The accuracy board shrinks each member's accuracy towards the group mean with
  ``k`` pseudo-answers at that mean (additive smoothing, an empirical-Bayes
  estimate), so 1 right of 1 does not outrank 45 of 50.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

from bot.domain.models import Confidence

RIGHT_AT = 0.85
WRONG_BELOW = 0.35
MIN_TOPIC_ANSWERS = 3
SHRINK_K = 10.0
T = TypeVar("T")


class Source(StrEnum):
    DAILY = "daily"
    REVIEW = "review"


@dataclass(frozen=True)
class AnswerRecord:
    """One graded answer of a member: a daily answer or a review."""

    local_date: date
    topic: str
    round: str
    credit: float
    points: float
    answered_at: datetime
    confidence: Confidence | None = None
    source: Source = Source.DAILY


@dataclass(frozen=True)
class Tally:
    """Answers counted and credit summed; ``accuracy`` is None when nothing was answered."""

    answered: int = 0
    credit: float = 0.0

    @property
    def accuracy(self) -> float | None:
        return self.credit / self.answered if self.answered else None

    @property
    def few(self) -> bool:
        """Too few answers for the figure to mean much (shown marked)."""
        return self.answered < MIN_TOPIC_ANSWERS

    def add(self, credit: float, count: int = 1) -> Tally:
        """This tally plus ``count`` answers worth ``credit`` in total."""
        return Tally(self.answered + count, self.credit + credit)


def tally(records: Iterable[AnswerRecord]) -> Tally:
    total = Tally()
    for record in records:
        total = total.add(record.credit)
    return total


def tally_by(
    records: Iterable[AnswerRecord], key: Callable[[AnswerRecord], str]
) -> dict[str, Tally]:
    """Tallies grouped by ``key`` (round, topic), keys sorted."""
    groups: dict[str, Tally] = defaultdict(Tally)
    for record in records:
        groups[key(record)] = groups[key(record)].add(record.credit)
    return dict(sorted(groups.items()))


def shrunk_accuracy(credit: float, answered: int, prior: float, k: float = SHRINK_K) -> float:
    """(credit + k * prior) / (answered + k): accuracy pulled towards ``prior``.

    With no answers it is the prior; with many it approaches the raw accuracy.
    """
    if answered + k <= 0:
        return prior
    return (credit + k * prior) / (answered + k)


@dataclass(frozen=True)
class Ranked(Generic[T]):
    rank: int
    tied: bool
    item: T


def rank_with_ties(
    items: Sequence[T], score: Callable[[T], float], tiebreak: Callable[[T], str] | None = None
) -> list[Ranked[T]]:
    """Competition ranking, highest score first: "1, 2, 2, 4".

    Scores are compared rounded to 4 decimals, so float noise never splits a tie.
    ``tiebreak`` only orders members within a tie for display (e.g. by name).
    """
    ordered = sorted(
        items, key=lambda item: (-round(score(item), 4), tiebreak(item) if tiebreak else "")
    )
    counts: dict[float, int] = defaultdict(int)
    for item in ordered:
        counts[round(score(item), 4)] += 1
    ranked: list[Ranked[T]] = []
    rank, previous = 0, None
    for position, item in enumerate(ordered, start=1):
        value = round(score(item), 4)
        if value != previous:
            rank, previous = position, value
        ranked.append(Ranked(rank=rank, tied=counts[value] > 1, item=item))
    return ranked


@dataclass(frozen=True)
class WeakTopic:
    topic: str
    tally: Tally


def weakest_topics(
    by_topic: dict[str, Tally], count: int = 3, min_answers: int = MIN_TOPIC_ANSWERS
) -> list[WeakTopic]:
    """The ``count`` topics with the lowest accuracy among those with enough answers."""
    eligible = [(t, s) for t, s in by_topic.items() if s.answered >= min_answers]
    eligible.sort(key=lambda pair: (pair[1].accuracy or 0.0, -pair[1].answered, pair[0]))
    return [WeakTopic(topic, stats) for topic, stats in eligible[:count]]


@dataclass(frozen=True)
class Calibration:
    """How well "sure" matched being right."""

    sure: int
    sure_right: int
    by_topic: dict[str, tuple[int, int]]  # topic -> (sure, sure and right)
    confidently_wrong: tuple[str, ...]  # topics with a "sure" answer that was wrong

    @property
    def rate(self) -> float | None:
        return self.sure_right / self.sure if self.sure else None


def calibration(records: Iterable[AnswerRecord]) -> Calibration:
    sure = right = 0
    by_topic: dict[str, tuple[int, int]] = {}
    wrong_topics: dict[str, int] = defaultdict(int)
    for record in records:
        if record.confidence is not Confidence.SURE:
            continue
        hit = record.credit >= RIGHT_AT
        sure, right = sure + 1, right + hit
        n, r = by_topic.get(record.topic, (0, 0))
        by_topic[record.topic] = (n + 1, r + hit)
        if record.credit < WRONG_BELOW:
            wrong_topics[record.topic] += 1
    worst = sorted(wrong_topics, key=lambda topic: (-wrong_topics[topic], topic))
    return Calibration(sure, right, dict(sorted(by_topic.items())), tuple(worst))


@dataclass(frozen=True)
class PointsPoint:
    day: date
    total: float


def cumulative_points(records: Iterable[AnswerRecord]) -> list[PointsPoint]:
    """Points summed per day, accumulated, oldest first (reviews earn none)."""
    per_day: dict[date, float] = defaultdict(float)
    for record in records:
        if record.source is Source.DAILY:
            per_day[record.local_date] += record.points
    series, running = [], 0.0
    for day in sorted(per_day):
        running += per_day[day]
        series.append(PointsPoint(day, round(running, 1)))
    return series


class Period(StrEnum):
    WEEK = "week"
    SEASON = "season"
    ALL = "all"


def period_range(period: Period, today: date) -> tuple[date | None, date | None]:
    """Inclusive local-date bounds: this ISO week (Mon-Sun), this calendar month, or all."""
    if period is Period.WEEK:
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=6)
    if period is Period.SEASON:
        start = today.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return start, following - timedelta(days=1)
    return None, None


def season_name(today: date) -> str:
    return today.strftime("%B %Y")


@dataclass(frozen=True)
class PlanPosition:
    """Where a server is in the plan: day ``day`` of ``length``, or in the review cycle."""

    day: int
    length: int
    week: int | None
    theme: str | None

    @property
    def in_review_cycle(self) -> bool:
        return self.day > self.length

    @property
    def started(self) -> bool:
        return self.day >= 1


def rank_of(
    standings: Sequence[T],
    user_id: int,
    *,
    ident: Callable[[T], int],
    hidden: Callable[[T], bool],
    score: Callable[[T], float],
) -> Ranked[T] | None:
    """A member's rank as the public board would show it.

    Hidden members are left off public boards; a hidden member still learns where
    they would stand among the visible ones.
    """
    pool = [s for s in standings if not hidden(s) or ident(s) == user_id]
    return next((r for r in rank_with_ties(pool, score) if ident(r.item) == user_id), None)
