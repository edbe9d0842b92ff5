"""Answers: written in batches (group commit), graded later, last answer counts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import and_, bindparam, select, tuple_, update
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


Key = tuple[int, int]  # (posting id, user id)


@dataclass
class _BatchPlan:
    """What a batch does, decided in Python from two reads, before any write."""

    outcomes: list[tuple[SubmitOutcome, Key, int | None, int | None]] = field(default_factory=list)
    inserts: list[dict[str, object]] = field(default_factory=list)
    updates: list[dict[str, object]] = field(default_factory=list)
    new_ids: dict[Key, int] = field(default_factory=dict)

    def receipts(self) -> list[SubmitReceipt]:
        receipts = []
        for outcome, key, answer_id, revision in self.outcomes:
            if outcome is SubmitOutcome.CLOSED:
                receipts.append(SubmitReceipt(outcome))
            else:
                receipts.append(SubmitReceipt(outcome, answer_id or self.new_ids[key], revision))
        return receipts


def _plan_batch(
    submissions: Sequence[AnswerSubmission],
    open_ids: dict[int, datetime],
    existing: dict[Key, StoredAnswer],
) -> _BatchPlan:
    """Decide each submission's fate; a member's later click sees their earlier one."""
    plan = _BatchPlan()
    # key -> (choice, text, revision, answer id or None while not yet inserted)
    latest: dict[Key, tuple[int | None, str | None, int, int | None]] = {
        k: (a.choice_index, a.text, a.revision, a.id) for k, a in existing.items()
    }
    inserts: dict[Key, dict[str, object]] = {}
    updates: dict[int, dict[str, object]] = {}
    for s in submissions:
        key = (s.posting_id, s.user_id)
        closes_at = open_ids.get(s.posting_id)
        if closes_at is None or s.answered_at >= closes_at:
            plan.outcomes.append((SubmitOutcome.CLOSED, key, None, None))
            continue
        previous = latest.get(key)
        if previous is not None and previous[:2] == (s.choice_index, s.text):
            plan.outcomes.append((SubmitOutcome.UNCHANGED, key, previous[3], previous[2]))
            continue
        revision = previous[2] + 1 if previous else 1
        answer_id = previous[3] if previous else None
        if answer_id is None:
            inserts[key] = {
                "posting_id": s.posting_id,
                "guild_id": s.guild_id,
                "user_id": s.user_id,
                "first_answered_at": s.answered_at,
                "choice_index": s.choice_index,
                "text": s.text,
                "answered_at": s.answered_at,
                "revision": revision,
            }
        else:
            updates[answer_id] = {
                "answer_id": answer_id,
                "new_choice": s.choice_index,
                "new_text": s.text,
                "new_at": s.answered_at,
                "new_revision": revision,
            }
        latest[key] = (s.choice_index, s.text, revision, answer_id)
        plan.outcomes.append((SubmitOutcome.RECORDED, key, answer_id, revision))
    plan.inserts = list(inserts.values())
    plan.updates = list(updates.values())
    return plan


class SqlAnswerRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def save_batch(self, submissions: Sequence[AnswerSubmission]) -> list[SubmitReceipt]:
        """One transaction for the whole batch: one fsync however many clicks it holds.

        The posting's status is read inside the same transaction, so an answer
        either commits before the reveal closes the posting or is refused. New
        answers go in with one multi-row INSERT and changes with one executemany
        UPDATE: per-row statements would cost a thread hop each in aiosqlite.
        """
        if not submissions:
            return []
        async with self._engine.begin() as connection:
            open_ids = await self._open_postings(connection, submissions)
            existing = await self._existing(connection, submissions)
            plan = _plan_batch(submissions, open_ids, existing)
            if plan.inserts:
                result = await connection.execute(
                    # Rows are matched back by key, so no parameter-order sorting:
                    # with it SQLAlchemy inserts row by row (25x slower at 256 rows).
                    answers.insert().returning(
                        answers.c.id, answers.c.posting_id, answers.c.user_id
                    ),
                    plan.inserts,
                )
                for row in result:
                    plan.new_ids[(row.posting_id, row.user_id)] = row.id
            if plan.updates:
                await connection.execute(
                    update(answers)
                    .where(answers.c.id == bindparam("answer_id"))
                    .values(
                        choice_index=bindparam("new_choice"),
                        text=bindparam("new_text"),
                        answered_at=bindparam("new_at"),
                        revision=bindparam("new_revision"),
                    ),
                    plan.updates,
                )
            await self._remember_members(connection, submissions)
        return plan.receipts()

    async def _open_postings(
        self, connection: AsyncConnection, submissions: Sequence[AnswerSubmission]
    ) -> dict[int, datetime]:
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
    ) -> dict[Key, StoredAnswer]:
        keys = {(s.posting_id, s.user_id) for s in submissions}
        rows = await connection.execute(
            select(answers).where(tuple_(answers.c.posting_id, answers.c.user_id).in_(keys))
        )
        return {(row["posting_id"], row["user_id"]): _to_answer(row) for row in rows.mappings()}

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

    async def save_grades(self, grades: Sequence[tuple[int, int, Grade]]) -> None:
        """Store (answer id, revision, grade) triples in one transaction.

        A grade is kept only if the answer has not changed since it was read.
        """
        rows = [
            {
                "answer_id": answer_id,
                "read_revision": revision,
                "new_credit": grade.credit,
                "new_json": grade_to_json(grade),
                "new_grader": grade.grader,
            }
            for answer_id, revision, grade in grades
        ]
        async with self._engine.begin() as connection:
            await connection.execute(
                update(answers)
                .where(
                    and_(
                        answers.c.id == bindparam("answer_id"),
                        answers.c.revision == bindparam("read_revision"),
                    )
                )
                .values(
                    credit=bindparam("new_credit"),
                    grade_json=bindparam("new_json"),
                    grader=bindparam("new_grader"),
                    graded_revision=bindparam("read_revision"),
                ),
                rows,
            )

    async def set_confidence(self, posting_id: int, user_id: int, confidence: Confidence) -> bool:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(answers)
                .where(answers.c.posting_id == posting_id, answers.c.user_id == user_id)
                .values(confidence=confidence.value)
            )
        return result.rowcount == 1
