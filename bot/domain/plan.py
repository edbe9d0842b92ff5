"""The 4-week study plan and the choice of each day's question.

A server's cohort day (day 1 is its cohort start date) decides the round and
topics of its daily question. After the plan's last day a review cycle begins,
weighted towards the topics the group gets wrong most. Questions never repeat
until every eligible question has been asked once; then a new pass starts in a
new order. Everything is deterministic given the server's seed, so a restart or
a test recomputes the same choice.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.domain.bank import QuestionBank
from bot.domain.questions import Question, Round, Track
from bot.domain.taxonomy import Taxonomy


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlanDay(_Frozen):
    """One day of the plan: the round to ask from and the topics to prefer.

    Empty ``topics`` means any topic of the round (for specialization: of the
    server's tracks). ``mock`` marks days the plan suggests a mock interview.
    """

    day: Annotated[int, Field(ge=1)]
    round: Round
    topics: tuple[str, ...] = ()
    mock: bool = False


class PlanWeek(_Frozen):
    week: Annotated[int, Field(ge=1, le=4)]
    theme: str
    days: tuple[PlanDay, ...]


class StudyPlan(_Frozen):
    weeks: tuple[PlanWeek, ...]

    @model_validator(mode="after")
    def _days_are_consecutive(self) -> Self:
        numbers = [day.day for day in self.days]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError("plan days must run 1, 2, 3, ... without gaps")
        return self

    @property
    def days(self) -> tuple[PlanDay, ...]:
        return tuple(day for week in self.weeks for day in week.days)

    @property
    def length(self) -> int:
        return len(self.days)

    def day(self, cohort_day: int) -> PlanDay | None:
        """The plan's day, or None before day 1 and after the plan (the review cycle)."""
        if 1 <= cohort_day <= self.length:
            return self.days[cohort_day - 1]
        return None

    def week_of(self, cohort_day: int) -> PlanWeek | None:
        plan_day = self.day(cohort_day)
        if plan_day is None:
            return None
        return next(week for week in self.weeks if plan_day in week.days)

    def check(self, taxonomy: Taxonomy) -> list[str]:
        """Problems a plan can have against the taxonomy (unknown or misplaced topics)."""
        topics = {topic.id: topic for topic in taxonomy.topics()}
        problems = []
        for day in self.days:
            for topic_id in day.topics:
                topic = topics.get(topic_id)
                if topic is None:
                    problems.append(f"day {day.day}: topic {topic_id!r} is not in the taxonomy")
                elif topic.round is not day.round:
                    problems.append(f"day {day.day}: topic {topic_id!r} is not a {day.round} topic")
        return problems


def _order_key(seed: str, pass_number: int, question_id: str) -> str:
    return hashlib.sha256(f"{seed}:{pass_number}:{question_id}".encode()).hexdigest()


def current_pass(history: Sequence[str], pool: set[str]) -> tuple[int, set[str]]:
    """Which pass over ``pool`` the history is in, and what that pass has asked.

    A pass ends when every question in the pool has been asked; questions asked
    that are no longer in the pool (a server narrowed its rounds) are ignored.
    """
    pass_number, asked = 0, set[str]()
    for question_id in history:
        if question_id not in pool:
            continue
        asked.add(question_id)
        if asked >= pool:
            pass_number, asked = pass_number + 1, set()
    return pass_number, asked


def _weighted_review_topic(
    candidates: Sequence[str], accuracy: Mapping[str, float], rng: random.Random
) -> str:
    """A topic drawn with weight rising as the group's accuracy on it falls."""
    weights = [1.05 - accuracy.get(topic, 0.5) for topic in candidates]
    return rng.choices(list(candidates), weights=weights, k=1)[0]


def pick_question(
    bank: QuestionBank,
    plan: StudyPlan,
    *,
    cohort_day: int,
    seed: str,
    history: Sequence[str],
    rounds: Sequence[Round] | None = None,
    tracks: Sequence[Track] | None = None,
    topic_accuracy: Mapping[str, float] | None = None,
) -> Question:
    """The question to post on ``cohort_day`` for a server.

    ``history`` lists question ids already posted, oldest first. ``rounds`` and
    ``tracks`` are the server's enabled ones (None: all). ``topic_accuracy``
    (0..1 per topic) steers the review cycle after the plan ends. Raises
    ValueError when the server's settings leave no eligible question.
    """
    pool = bank.eligible(rounds, tracks)
    if not pool:
        raise ValueError("no question matches the enabled rounds and tracks")
    pool_ids = {q.id for q in pool}
    pass_number, asked = current_pass(history, pool_ids)
    fresh = sorted(
        (q for q in pool if q.id not in asked),
        key=lambda q: _order_key(seed, pass_number, q.id),
    )
    for preferred in _preferences(plan, fresh, cohort_day, seed, topic_accuracy or {}):
        if preferred:
            return preferred[0]
    return fresh[0]


def _preferences(
    plan: StudyPlan,
    fresh: Sequence[Question],
    cohort_day: int,
    seed: str,
    topic_accuracy: Mapping[str, float],
) -> list[list[Question]]:
    """Candidate lists from most to least wanted for the day; first non-empty wins."""
    plan_day = plan.day(cohort_day)
    if plan_day is not None:
        return [
            [q for q in fresh if q.round is plan_day.round and q.topic in plan_day.topics],
            [q for q in fresh if q.round is plan_day.round],
        ]
    # The review cycle: weakest topics first, drawn so the group does not see one
    # topic every day. The RNG is seeded per day, so the choice is reproducible.
    rng = random.Random(f"{seed}:review:{cohort_day}")  # noqa: S311 - not security
    topics = sorted({q.topic for q in fresh})
    topic = _weighted_review_topic(topics, topic_accuracy, rng)
    return [[q for q in fresh if q.topic == topic]]
