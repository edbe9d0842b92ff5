"""Servers and their settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.models import GuildConfig
from bot.domain.questions import Round, Track
from bot.store.engine import upsert
from bot.store.tables import guilds

_SETTING_COLUMNS = [
    "name",
    "channel_id",
    "post_time",
    "timezone",
    "weekdays",
    "answer_window_minutes",
    "rounds",
    "tracks",
    "cohort_start",
    "mention_role_id",
    "paused",
    "discussion_threads",
    "weekly_recap",
    "private_mock_threads",
    "updated_at",
]


def _to_config(row: RowMapping) -> GuildConfig:
    return GuildConfig(
        id=row["id"],
        name=row["name"],
        channel_id=row["channel_id"],
        post_time=row["post_time"],
        timezone=row["timezone"],
        weekdays=frozenset(int(d) for d in row["weekdays"]),
        answer_window_minutes=row["answer_window_minutes"],
        rounds=tuple(Round(r) for r in row["rounds"].split(",") if r),
        tracks=tuple(Track(t) for t in row["tracks"].split(",") if t),
        cohort_start=row["cohort_start"],
        mention_role_id=row["mention_role_id"],
        paused=row["paused"],
        seed=row["seed"],
        discussion_threads=row["discussion_threads"],
        weekly_recap=row["weekly_recap"],
        private_mock_threads=row["private_mock_threads"],
    )


class SqlGuildRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, guild_id: int) -> GuildConfig | None:
        async with self._engine.connect() as connection:
            row = (
                (await connection.execute(select(guilds).where(guilds.c.id == guild_id)))
                .mappings()
                .first()
            )
        return _to_config(row) if row else None

    async def save(self, config: GuildConfig, now: datetime) -> None:
        """Create or update; the seed is kept from the first save (it fixes the order)."""
        values = {
            "id": config.id,
            "name": config.name,
            "channel_id": config.channel_id,
            "post_time": config.post_time,
            "timezone": config.timezone,
            "weekdays": "".join(str(d) for d in sorted(config.weekdays)),
            "answer_window_minutes": config.answer_window_minutes,
            "rounds": ",".join(r.value for r in config.rounds),
            "tracks": ",".join(t.value for t in config.tracks),
            "cohort_start": config.cohort_start,
            "mention_role_id": config.mention_role_id,
            "paused": config.paused,
            "seed": config.seed,
            "discussion_threads": config.discussion_threads,
            "weekly_recap": config.weekly_recap,
            "private_mock_threads": config.private_mock_threads,
            "created_at": now,
            "updated_at": now,
        }
        statement = upsert(self._engine, guilds, ["id"], _SETTING_COLUMNS).values(**values)
        async with self._engine.begin() as connection:
            await connection.execute(statement)

    async def all_set_up(self) -> list[GuildConfig]:
        query = select(guilds).where(guilds.c.channel_id.is_not(None))
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_to_config(row) for row in rows]

    async def set_paused(self, guild_id: int, paused: bool, now: datetime) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(guilds).where(guilds.c.id == guild_id).values(paused=paused, updated_at=now)
            )
