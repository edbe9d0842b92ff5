"""Spaced-repetition review: daily answers become cards, ``/review`` serves the due ones.

Reviews are graded like daily answers (exactly for choice questions, offline
against the rubric for open ones), count towards a member's per-topic accuracy
and earn no points. Outcomes are kept in each card's JSON (see
:mod:`bot.domain.review`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from fsrs import Scheduler

from bot.domain.bank import QuestionBank
from bot.domain.errors import ClosedError, NotFoundError
from bot.domain.grading import Grade, grade_choice, grade_open_offline, normalise_answer
from bot.domain.ports import Clock
from bot.domain.progress_ports import DailyOutcome, ReviewCardRepository
from bot.domain.questions import Kind, Question
from bot.domain.review import (
    CardSource,
    ReviewCard,
    apply_review,
    default_scheduler,
    new_card,
    rating_for,
)


@dataclass(frozen=True)
class ReviewItem:
    """The next card to review and how many are due in all."""

    question: Question
    card: ReviewCard
    due: int


@dataclass(frozen=True)
class ReviewResult:
    question: Question
    grade: Grade
    rating: int  # fsrs.Rating value: 1 Again, 2 Hard, 3 Good, 4 Easy
    next_due: datetime
    remaining: int


@dataclass(frozen=True)
class ReviewStatus:
    due: int
    cards: tuple[ReviewCard, ...]


class ReviewService:
    def __init__(
        self,
        bank: QuestionBank,
        cards: ReviewCardRepository,
        clock: Clock,
        scheduler: Scheduler | None = None,
    ) -> None:
        self._bank = bank
        self._cards = cards
        self._clock = clock
        self._scheduler = scheduler or default_scheduler()

    def _first_review(self, card: ReviewCard, outcome: DailyOutcome) -> ReviewCard:
        if outcome.posting_id in card.seen_postings:
            return card
        rating = rating_for(outcome.credit, outcome.confidence)
        return apply_review(
            self._scheduler,
            card,
            rating,
            outcome.answered_at,
            outcome.credit,
            kind="daily",
            posting_id=outcome.posting_id,
        )

    async def add_posting(self, posting_id: int) -> int:
        """Turn a scored posting's answers into reviews of their cards; idempotent.

        Call after the reveal has scored the posting. Returns the cards written.
        """
        outcomes = await self._cards.posting_outcomes(posting_id)
        if not outcomes:
            return 0
        guild_id, question_id = outcomes[0][0], outcomes[0][2].question_id
        existing = {
            card.user_id: card
            for card in await self._cards.for_question(
                guild_id, question_id, [user_id for _, user_id, _ in outcomes]
            )
        }
        changed = []
        for _, user_id, outcome in outcomes:
            card = existing.get(user_id) or new_card(
                guild_id, user_id, question_id, outcome.answered_at, CardSource.ANSWER
            )
            reviewed = self._first_review(card, outcome)
            if reviewed is not card:
                changed.append(reviewed)
        await self._cards.save(changed)
        return len(changed)

    async def sync_member(self, guild_id: int, user_id: int) -> int:
        """Cards for the member's graded daily answers that have none yet (catch-up)."""
        outcomes = await self._cards.uncarded_answers(guild_id, user_id)
        cards: dict[str, ReviewCard] = {}
        for outcome in outcomes:  # oldest first: a repeated question is reviewed twice
            card = cards.get(outcome.question_id) or new_card(
                guild_id, user_id, outcome.question_id, outcome.answered_at, CardSource.ANSWER
            )
            cards[outcome.question_id] = self._first_review(card, outcome)
        return await self._cards.add_new(list(cards.values()))

    async def add_topics(self, guild_id: int, user_id: int, topics: Iterable[str]) -> int:
        """Cards, due now, for every question of ``topics`` the member has no card for.

        Use with a mock debrief's ``recommended_topics``. Returns how many were added.
        """
        wanted = set(topics)
        now = self._clock.now()
        cards = [
            new_card(guild_id, user_id, question.id, now, CardSource.DEBRIEF)
            for question in self._bank.questions
            if question.topic in wanted
        ]
        return await self._cards.add_new(cards)

    async def status(self, guild_id: int, user_id: int) -> ReviewStatus:
        await self.sync_member(guild_id, user_id)
        now = self._clock.now()
        return ReviewStatus(
            due=await self._cards.due_count(guild_id, user_id, now),
            cards=tuple(await self._cards.for_member(guild_id, user_id)),
        )

    async def next_card(self, guild_id: int, user_id: int) -> ReviewItem | None:
        """The member's most overdue card whose question still exists, or None."""
        await self.sync_member(guild_id, user_id)
        now = self._clock.now()
        for card in await self._cards.due(guild_id, user_id, now, limit=25):
            question = self._bank.get(card.question_id)
            if question is not None:
                due = await self._cards.due_count(guild_id, user_id, now)
                return ReviewItem(question, card, due)
        return None

    async def answer_choice(
        self, guild_id: int, user_id: int, question_id: str, option: int
    ) -> ReviewResult:
        card, question = await self._due_card(guild_id, user_id, question_id, Kind.CHOICE)
        return await self._record(card, question, grade_choice(question, option))

    async def answer_open(
        self, guild_id: int, user_id: int, question_id: str, text: str
    ) -> ReviewResult:
        card, question = await self._due_card(guild_id, user_id, question_id, Kind.OPEN)
        grade = grade_open_offline(question, normalise_answer(text))
        return await self._record(card, question, grade)

    async def _due_card(
        self, guild_id: int, user_id: int, question_id: str, kind: Kind
    ) -> tuple[ReviewCard, Question]:
        card = await self._cards.get(guild_id, user_id, question_id)
        question = self._bank.get(question_id)
        if card is None or question is None or question.kind is not kind:
            raise NotFoundError("That review card no longer exists.")
        if card.due_at > self._clock.now():
            raise ClosedError("You already reviewed this card. Run /review for the next one.")
        return card, question

    async def _record(self, card: ReviewCard, question: Question, grade: Grade) -> ReviewResult:
        now = self._clock.now()
        rating = rating_for(grade.credit)
        reviewed = apply_review(self._scheduler, card, rating, now, grade.credit, kind="review")
        await self._cards.save([reviewed])
        remaining = await self._cards.due_count(card.guild_id, card.user_id, now)
        return ReviewResult(question, grade, int(rating), reviewed.due_at, remaining)
