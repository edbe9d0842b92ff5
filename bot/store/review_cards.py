"""Review cards: one row per member per question, the FSRS state and review tallies in JSON.

There is no review table: a review's outcome lives in the card's ``card_json``
(see :mod:`bot.domain.review`), and ``due_at`` mirrors the FSRS due date so the
(guild_id, user_id, due_at) index finds due cards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.models import Confidence
from bot.domain.progress_ports import DailyOutcome
from bot.domain.review import ReviewCard, decode_card, encode_card
from bot.store.engine import insert_ignoring_conflicts, upsert
from bot.store.tables import answers, review_cards, scores


def _to_card(row: Any) -> ReviewCard:
    return decode_card(row.guild_id, row.user_id, row.question_id, row.source, row.card_json)


def _values(card: ReviewCard) -> dict[str, Any]:
    return {
        "guild_id": card.guild_id,
        "user_id": card.user_id,
        "question_id": card.question_id,
        "card_json": encode_card(card),
        "due_at": card.due_at,
        "source": card.source,
    }


def _outcome(row: Any) -> DailyOutcome:
    return DailyOutcome(
        posting_id=row.posting_id,
        question_id=row.question_id,
        credit=row.credit,
        confidence=Confidence(row.confidence) if row.confidence else None,
        answered_at=row.answered_at,
    )


_OUTCOME_COLUMNS = (
    scores.c.guild_id,
    scores.c.user_id,
    scores.c.posting_id,
    scores.c.question_id,
    scores.c.credit,
    scores.c.answered_at,
    answers.c.confidence,
)
_WITH_ANSWERS = scores.outerjoin(
    answers,
    and_(answers.c.posting_id == scores.c.posting_id, answers.c.user_id == scores.c.user_id),
)


class SqlReviewCardRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def _rows(self, query: Any) -> list[Any]:
        async with self._engine.connect() as connection:
            return list(await connection.execute(query))

    async def get(self, guild_id: int, user_id: int, question_id: str) -> ReviewCard | None:
        rows = await self._rows(
            select(review_cards).where(
                review_cards.c.guild_id == guild_id,
                review_cards.c.user_id == user_id,
                review_cards.c.question_id == question_id,
            )
        )
        return _to_card(rows[0]) if rows else None

    async def for_member(self, guild_id: int, user_id: int) -> list[ReviewCard]:
        query = select(review_cards).where(
            review_cards.c.guild_id == guild_id, review_cards.c.user_id == user_id
        )
        return [_to_card(row) for row in await self._rows(query)]

    async def for_question(
        self, guild_id: int, question_id: str, user_ids: Sequence[int]
    ) -> list[ReviewCard]:
        """The cards of ``user_ids`` for one question (primary-key lookups)."""
        query = select(review_cards).where(
            review_cards.c.guild_id == guild_id,
            review_cards.c.user_id.in_(list(user_ids)),
            review_cards.c.question_id == question_id,
        )
        return [_to_card(row) for row in await self._rows(query)]

    async def due(self, guild_id: int, user_id: int, now: datetime, limit: int) -> list[ReviewCard]:
        query = (
            select(review_cards)
            .where(
                review_cards.c.guild_id == guild_id,
                review_cards.c.user_id == user_id,
                review_cards.c.due_at <= now,
            )
            .order_by(review_cards.c.due_at, review_cards.c.question_id)
            .limit(limit)
        )
        return [_to_card(row) for row in await self._rows(query)]

    async def due_count(self, guild_id: int, user_id: int, now: datetime) -> int:
        query = select(func.count()).where(
            review_cards.c.guild_id == guild_id,
            review_cards.c.user_id == user_id,
            review_cards.c.due_at <= now,
        )
        return int((await self._rows(query))[0][0])

    async def save(self, cards: Sequence[ReviewCard]) -> None:
        if not cards:
            return
        statement = upsert(
            self._engine,
            review_cards,
            ["guild_id", "user_id", "question_id"],
            ["card_json", "due_at"],
        )
        async with self._engine.begin() as connection:
            await connection.execute(statement, [_values(card) for card in cards])

    async def add_new(self, cards: Sequence[ReviewCard]) -> int:
        if not cards:
            return 0
        statement = insert_ignoring_conflicts(self._engine, review_cards)
        async with self._engine.begin() as connection:
            before = await self._count(connection, cards[0])
            await connection.execute(statement, [_values(card) for card in cards])
            return await self._count(connection, cards[0]) - before

    async def _count(self, connection: Any, card: ReviewCard) -> int:
        query = select(func.count()).where(
            review_cards.c.guild_id == card.guild_id, review_cards.c.user_id == card.user_id
        )
        return int((await connection.execute(query)).scalar_one())

    async def uncarded_answers(self, guild_id: int, user_id: int) -> list[DailyOutcome]:
        carded = select(review_cards.c.question_id).where(
            review_cards.c.guild_id == guild_id, review_cards.c.user_id == user_id
        )
        query = (
            select(*_OUTCOME_COLUMNS)
            .select_from(_WITH_ANSWERS)
            .where(
                scores.c.guild_id == guild_id,
                scores.c.user_id == user_id,
                scores.c.question_id.not_in(carded),
            )
            .order_by(scores.c.answered_at)
        )
        return [_outcome(row) for row in await self._rows(query)]

    async def posting_outcomes(self, posting_id: int) -> list[tuple[int, int, DailyOutcome]]:
        query = select(*_OUTCOME_COLUMNS).select_from(_WITH_ANSWERS)
        query = query.where(scores.c.posting_id == posting_id).order_by(scores.c.user_id)
        return [(row.guild_id, row.user_id, _outcome(row)) for row in await self._rows(query)]
