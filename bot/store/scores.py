"""Daily records: one row per member per posting, rewritten whenever grades change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.models import ScoreRow
from bot.store.tables import members, scores


class SqlScoreRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def replace_for_posting(self, posting_id: int, rows: Sequence[ScoreRow]) -> None:
        """Idempotent: a re-reveal or a regrade writes the same rows again."""
        async with self._engine.begin() as connection:
            await connection.execute(delete(scores).where(scores.c.posting_id == posting_id))
            if rows:
                await connection.execute(scores.insert(), [asdict(row) for row in rows])

    async def answered_dates(self, guild_id: int, user_id: int) -> list[date]:
        query = (
            select(scores.c.local_date)
            .where(scores.c.guild_id == guild_id, scores.c.user_id == user_id)
            .order_by(scores.c.local_date)
        )
        async with self._engine.connect() as connection:
            return list((await connection.execute(query)).scalars())

    async def display_names(self, guild_id: int, user_ids: Sequence[int]) -> dict[int, str]:
        query = select(members.c.user_id, members.c.display_name).where(
            members.c.guild_id == guild_id, members.c.user_id.in_(list(user_ids))
        )
        async with self._engine.connect() as connection:
            return {row.user_id: row.display_name for row in await connection.execute(query)}
