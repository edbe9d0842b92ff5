"""Answers: written in batches (group commit), graded later, last answer counts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import and_, select, tuple_, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain.grading import Grade
from bot.domain.models import (
    AnswerSubmission,
    Confidence,
    PostingStatus,
    StoredAnswer,
    SubmitOutcome,
    SubmitReceipt,
)
from bot.store.engine import upsert
from bot.store.tables import answers, members, postings


def _to_answer(row: RowMapping) -> StoredAnswer:
    return StoredAnswer(
        id=row["id"],
        posting_id=row["posting_id"],
        user_id=row["user_id"],
        choice_index=row["choice_index"],
        text=row["text"],
        answered_at=row["answered_at"],
        revision=row["revision"],
        confidence=Confidence(row["confidence"]) if row["confidence"] else None,
        credit=row["credit"],
        grade_json=row["grade_json"],
        graded_revision=row["graded_revision"],
        override_credit=row["override_credit"],
    )


def grade_to_json(grade: Grade) -> str:
    data = asdict(grade)
    data["flags"] = sorted(grade.flags)
    return json.dumps(data, sort_keys=True)


class SqlAnswerRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def save_batch(self, submissions: Sequence[AnswerSubmission]) -> list[SubmitReceipt]:
        """One transaction for the whole batch: one fsync however many clicks it holds.

        The posting's status is read inside the same transaction, so an answer
        either commits before the reveal closes the posting or is refused.
        """
        if not submissions:
            return []
        async with self._engine.begin() as connection:
            open_ids = await self._open_postings(connection, submissions)
            existing = await self._existing(connection, submissions)
            receipts = [
                await self._save_one(connection, submission, open_ids, existing)
                for submission in submissions
            ]
            await self._remember_members(connection, submissions)
        return receipts

    async def _open_postings(
        self, connection: AsyncConnection, submissions: Sequence[AnswerSubmission]
    ) -> dict[int, object]:
        ids = {s.posting_id for s in submissions}
        rows = await connection.execute(
            select(postings.c.id, postings.c.closes_at).where(
                postings.c.id.in_(ids),
                postings.c.status.in_([PostingStatus.CLAIMED.value, PostingStatus.POSTED.value]),
            )
        )
        return {row.id: row.closes_at for row in rows}

    async def _existing(
        self, connection: AsyncConnection, submissions: Sequence[AnswerSubmission]
    ) -> dict[tuple[int, int], StoredAnswer]:
        keys = {(s.posting_id, s.user_id) for s in submissions}
        rows = await connection.execute(
            select(answers).where(tuple_(answers.c.posting_id, answers.c.user_id).in_(keys))
        )
        return {(row["posting_id"], row["user_id"]): _to_answer(row) for row in rows.mappings()}

    async def _save_one(
        self,
        connection: AsyncConnection,
        submission: AnswerSubmission,
        open_ids: dict[int, object],
        existing: dict[tuple[int, int], StoredAnswer],
    ) -> SubmitReceipt:
        closes_at = open_ids.get(submission.posting_id)
        if closes_at is None or submission.answered_at >= closes_at:  # type: ignore[operator]
            return SubmitReceipt(SubmitOutcome.CLOSED)
        key = (submission.posting_id, submission.user_id)
        previous = existing.get(key)
        if previous is None:
            result = await connection.execute(
                answers.insert()
                .values(
                    posting_id=submission.posting_id,
                    guild_id=submission.guild_id,
                    user_id=submission.user_id,
                    choice_index=submission.choice_index,
                    text=submission.text,
                    first_answered_at=submission.answered_at,
                    answered_at=submission.answered_at,
                    revision=1,
                )
                .returning(answers.c.id)
            )
            answer_id = result.scalar_one()
            revision = 1
        elif (previous.choice_index, previous.text) == (submission.choice_index, submission.text):
            return SubmitReceipt(SubmitOutcome.UNCHANGED, previous.id, previous.revision)
        else:
            answer_id, revision = previous.id, previous.revision + 1
            await connection.execute(
                update(answers)
                .where(answers.c.id == answer_id)
                .values(
                    choice_index=submission.choice_index,
                    text=submission.text,
                    answered_at=submission.answered_at,
                    revision=revision,
                )
            )
        existing[key] = StoredAnswer(
            id=answer_id,
            posting_id=submission.posting_id,
            user_id=submission.user_id,
            choice_index=submission.choice_index,
            text=submission.text,
            answered_at=submission.answered_at,
            revision=revision,
            confidence=None,
            credit=None,
            grade_json=None,
            graded_revision=None,
        )
        return SubmitReceipt(SubmitOutcome.RECORDED, answer_id, revision)

    async def _remember_members(
        self, connection: AsyncConnection, submissions: Sequence[AnswerSubmission]
    ) -> None:
        latest = {(s.guild_id, s.user_id): s for s in submissions}
        statement = upsert(self._engine, members, ["guild_id", "user_id"], ["display_name"])
        await connection.execute(
            statement,
            [
                {
                    "guild_id": guild_id,
                    "user_id": user_id,
                    "display_name": s.display_name[:100],
                    "hidden": False,
                    "first_seen_at": s.answered_at,
                }
                for (guild_id, user_id), s in latest.items()
            ],
        )

    async def for_posting(self, posting_id: int) -> list[StoredAnswer]:
        query = select(answers).where(answers.c.posting_id == posting_id).order_by(answers.c.id)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_to_answer(row) for row in rows]

    async def get(self, posting_id: int, user_id: int) -> StoredAnswer | None:
        query = select(answers).where(
            answers.c.posting_id == posting_id, answers.c.user_id == user_id
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).mappings().first()
        return _to_answer(row) if row else None

    async def save_grade(self, answer_id: int, revision: int, grade: Grade) -> None:
        """Store a grade only if the answer has not changed since it was read."""
        async with self._engine.begin() as connection:
            await connection.execute(
                update(answers)
                .where(and_(answers.c.id == answer_id, answers.c.revision == revision))
                .values(
                    credit=grade.credit,
                    grade_json=grade_to_json(grade),
                    grader=grade.grader,
                    graded_revision=revision,
                )
            )

    async def set_confidence(self, posting_id: int, user_id: int, confidence: Confidence) -> bool:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(answers)
                .where(answers.c.posting_id == posting_id, answers.c.user_id == user_id)
                .values(confidence=confidence.value)
            )
        return result.rowcount == 1
