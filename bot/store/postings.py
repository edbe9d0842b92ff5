"""Question postings: the (server, local date) claims that prevent double posts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.models import Posting, PostingStatus
from bot.store.engine import insert_ignoring_conflicts
from bot.store.tables import postings


def _to_posting(row: RowMapping) -> Posting:
    return Posting(
        id=row["id"],
        guild_id=row["guild_id"],
        local_date=row["local_date"],
        cohort_day=row["cohort_day"],
        question_id=row["question_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        status=PostingStatus(row["status"]),
        closes_at=row["closes_at"],
        posted_at=row["posted_at"],
        revealed_at=row["revealed_at"],
        reveal_message_id=row["reveal_message_id"],
    )


class SqlPostingRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def _many(self, query: object) -> list[Posting]:
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()  # type: ignore[call-overload]
        return [_to_posting(row) for row in rows]

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
        statement = insert_ignoring_conflicts(self._engine, postings).values(
            guild_id=guild_id,
            local_date=local_date,
            cohort_day=cohort_day,
            question_id=question_id,
            channel_id=channel_id,
            status=PostingStatus.CLAIMED.value,
            claimed_at=now,
            closes_at=closes_at,
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
            if result.rowcount != 1:
                return None
        return await self.for_date(guild_id, local_date)

    async def mark_posted(self, posting_id: int, message_id: int, now: datetime) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(postings)
                .where(postings.c.id == posting_id)
                .values(message_id=message_id, posted_at=now, status=PostingStatus.POSTED.value)
            )

    async def mark_skipped(self, posting_id: int) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(postings)
                .where(postings.c.id == posting_id)
                .values(status=PostingStatus.SKIPPED.value)
            )

    async def get(self, posting_id: int) -> Posting | None:
        found = await self._many(select(postings).where(postings.c.id == posting_id))
        return found[0] if found else None

    async def for_date(self, guild_id: int, local_date: date) -> Posting | None:
        found = await self._many(
            select(postings).where(
                postings.c.guild_id == guild_id, postings.c.local_date == local_date
            )
        )
        return found[0] if found else None

    async def unsent(self) -> list[Posting]:
        return await self._many(
            select(postings).where(postings.c.status == PostingStatus.CLAIMED.value)
        )

    async def due_for_reveal(self, now: datetime) -> list[Posting]:
        return await self._many(
            select(postings)
            .where(
                postings.c.status == PostingStatus.POSTED.value,
                postings.c.closes_at <= now,
            )
            .order_by(postings.c.closes_at)
        )

    async def open_postings(self) -> list[Posting]:
        return await self._many(
            select(postings).where(postings.c.status == PostingStatus.POSTED.value)
        )

    async def history(self, guild_id: int) -> list[str]:
        query = (
            select(postings.c.question_id)
            .where(postings.c.guild_id == guild_id)
            .order_by(postings.c.local_date)
        )
        async with self._engine.connect() as connection:
            return list((await connection.execute(query)).scalars())

    async def posted_dates(self, guild_id: int) -> list[date]:
        query = (
            select(postings.c.local_date)
            .where(
                postings.c.guild_id == guild_id,
                postings.c.status.in_([PostingStatus.POSTED.value, PostingStatus.REVEALED.value]),
            )
            .order_by(postings.c.local_date)
        )
        async with self._engine.connect() as connection:
            return list((await connection.execute(query)).scalars())

    async def close(self, posting_id: int, now: datetime) -> bool:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(postings)
                .where(
                    postings.c.id == posting_id,
                    postings.c.status == PostingStatus.POSTED.value,
                )
                .values(status=PostingStatus.REVEALED.value, revealed_at=now)
            )
        return result.rowcount == 1

    async def set_reveal_message(
        self, posting_id: int, message_id: int, thread_id: int | None
    ) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(postings)
                .where(postings.c.id == posting_id)
                .values(reveal_message_id=message_id, thread_id=thread_id)
            )
