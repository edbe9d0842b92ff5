"""Token accounting and the per-server mock limits, over ``llm_usage`` and ``guilds``.

Every Claude call's usage is written here as it is reported, attributed to the
server and member it was made for; the daily budget check sums today's rows.
A server that never ran setup has no ``guilds`` row and gets the defaults.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.ports import Clock
from bot.domain.usage import PurposeUsage, UsageSummary
from bot.services.mock import MockPolicy
from bot.store.tables import guilds, interviews, llm_usage

_TOKENS = (
    llm_usage.c.input_tokens
    + llm_usage.c.output_tokens
    + llm_usage.c.cache_creation_tokens
    + llm_usage.c.cache_read_tokens
)


class CallUsage(Protocol):
    """One call's token counts (``bot.llm.usage.LlmUsage`` has this shape)."""

    @property
    def purpose(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def input_tokens(self) -> int: ...
    @property
    def output_tokens(self) -> int: ...
    @property
    def cache_creation_tokens(self) -> int: ...
    @property
    def cache_read_tokens(self) -> int: ...


class SqlUsageRepository:
    """Implements :class:`bot.services.mock.PolicyRepository` and records usage."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    async def record(self, usage: CallUsage, guild_id: int | None, user_id: int | None) -> None:
        """Store one call's usage, stamped now."""
        async with self._engine.begin() as connection:
            await connection.execute(
                llm_usage.insert().values(
                    guild_id=guild_id,
                    user_id=user_id,
                    purpose=usage.purpose[:16],
                    model=usage.model[:64],
                    input_tokens=usage.input_tokens,
                    output_tokens=usage.output_tokens,
                    cache_creation_tokens=usage.cache_creation_tokens,
                    cache_read_tokens=usage.cache_read_tokens,
                    created_at=self._clock.now(),
                )
            )

    async def tokens_since(self, guild_id: int, since: datetime) -> int:
        """All tokens (input, output, cache writes and reads) billed to the server since then."""
        async with self._engine.connect() as connection:
            result = await connection.execute(
                select(func.coalesce(func.sum(_TOKENS), 0)).where(
                    llm_usage.c.guild_id == guild_id, llm_usage.c.created_at >= since
                )
            )
            return int(result.scalar_one())

    async def mocks_started(self, guild_id: int, user_id: int, since: datetime) -> int:
        async with self._engine.connect() as connection:
            result = await connection.execute(
                select(func.count()).where(
                    interviews.c.guild_id == guild_id,
                    interviews.c.user_id == user_id,
                    interviews.c.started_at >= since,
                )
            )
            return int(result.scalar_one())

    async def policy(self, guild_id: int) -> MockPolicy:
        async with self._engine.connect() as connection:
            row = (
                (
                    await connection.execute(
                        select(
                            guilds.c.daily_token_budget,
                            guilds.c.mock_limit_per_member,
                            guilds.c.private_mock_threads,
                            guilds.c.timezone,
                        ).where(guilds.c.id == guild_id)
                    )
                )
                .mappings()
                .first()
            )
        if row is None:
            return MockPolicy()
        return MockPolicy(
            daily_token_budget=row["daily_token_budget"],
            mock_limit_per_member=row["mock_limit_per_member"],
            private_threads=row["private_mock_threads"],
            timezone=row["timezone"],
        )

    async def summary(self, guild_id: int, since: datetime) -> UsageSummary:
        """Usage per purpose since ``since``, for the admins' usage report."""
        columns = (
            llm_usage.c.purpose,
            func.count(),
            func.sum(llm_usage.c.input_tokens),
            func.sum(llm_usage.c.output_tokens),
            func.sum(llm_usage.c.cache_creation_tokens),
            func.sum(llm_usage.c.cache_read_tokens),
        )
        query = (
            select(*columns)
            .where(llm_usage.c.guild_id == guild_id, llm_usage.c.created_at >= since)
            .group_by(llm_usage.c.purpose)
            .order_by(llm_usage.c.purpose)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        items = tuple(
            PurposeUsage(str(p), int(n), int(i or 0), int(o or 0), int(w or 0), int(r or 0))
            for p, n, i, o, w, r in rows
        )
        return UsageSummary(guild_id, since, items)
