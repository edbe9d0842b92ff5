"""Progress and leaderboard queries: each call is one aggregate query, never a loop per member.

The heavy reads lean on the ``scores`` indexes (guild_id, local_date) for periods
and (guild_id, user_id, local_date) for one member's history.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.models import Confidence, PostingStatus
from bot.domain.progress import AnswerRecord
from bot.domain.progress_ports import DayStat, MockResult, Standing, TopicStat
from bot.store.engine import upsert
from bot.store.tables import answers, interviews, members, postings, scores


def _recommended(debrief_json: str | None) -> tuple[str, ...]:
    if not debrief_json:
        return ()
    try:
        topics = json.loads(debrief_json).get("recommended_topics") or []
    except (ValueError, AttributeError):
        return ()
    return tuple(str(topic) for topic in topics if isinstance(topic, str))


class SqlProgressRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def _rows(self, query: Any) -> list[Any]:
        async with self._engine.connect() as connection:
            return list(await connection.execute(query))

    async def member_records(self, guild_id: int, user_id: int) -> list[AnswerRecord]:
        query = (
            select(
                scores.c.local_date,
                scores.c.topic,
                scores.c.round,
                scores.c.credit,
                scores.c.points,
                scores.c.answered_at,
                answers.c.confidence,
            )
            .select_from(
                scores.outerjoin(
                    answers,
                    and_(
                        answers.c.posting_id == scores.c.posting_id,
                        answers.c.user_id == scores.c.user_id,
                    ),
                )
            )
            .where(scores.c.guild_id == guild_id, scores.c.user_id == user_id)
            .order_by(scores.c.local_date)
        )
        return [
            AnswerRecord(
                local_date=row.local_date,
                topic=row.topic,
                round=row.round,
                credit=row.credit,
                points=row.points,
                answered_at=row.answered_at,
                confidence=Confidence(row.confidence) if row.confidence else None,
            )
            for row in await self._rows(query)
        ]

    async def posted_dates(self, guild_id: int) -> list[date]:
        query = (
            select(postings.c.local_date)
            .where(
                postings.c.guild_id == guild_id,
                postings.c.status.in_([PostingStatus.POSTED.value, PostingStatus.REVEALED.value]),
            )
            .order_by(postings.c.local_date)
        )
        return [row.local_date for row in await self._rows(query)]

    async def standings(
        self, guild_id: int, start: date | None, end: date | None, round_: str | None
    ) -> list[Standing]:
        conditions = [scores.c.guild_id == guild_id]
        if start is not None:
            conditions.append(scores.c.local_date >= start)
        if end is not None:
            conditions.append(scores.c.local_date <= end)
        if round_ is not None:
            conditions.append(scores.c.round == round_)
        totals = (
            select(
                scores.c.user_id,
                func.sum(scores.c.points).label("points"),
                func.count().label("answered"),
                func.sum(scores.c.credit).label("credit"),
            )
            .where(*conditions)
            .group_by(scores.c.user_id)
            .subquery()
        )
        query = select(
            totals, members.c.display_name, func.coalesce(members.c.hidden, False).label("hidden")
        ).select_from(
            totals.outerjoin(
                members,
                and_(members.c.guild_id == guild_id, members.c.user_id == totals.c.user_id),
            )
        )
        return [
            Standing(
                user_id=row.user_id,
                display_name=row.display_name or "a member",
                hidden=bool(row.hidden),
                points=round(float(row.points), 1),
                answered=int(row.answered),
                credit=float(row.credit),
            )
            for row in await self._rows(query)
        ]

    async def mock_results(self, guild_id: int, user_id: int) -> list[MockResult]:
        query = (
            select(
                interviews.c.started_at,
                interviews.c.round,
                interviews.c.score,
                interviews.c.debrief_json,
            )
            .where(
                interviews.c.guild_id == guild_id,
                interviews.c.user_id == user_id,
                interviews.c.score.is_not(None),
            )
            .order_by(interviews.c.started_at)
        )
        return [
            MockResult(row.started_at, row.round, float(row.score), _recommended(row.debrief_json))
            for row in await self._rows(query)
        ]

    async def daily_stats(self, guild_id: int, start: date, end: date) -> list[DayStat]:
        query = (
            select(scores.c.local_date, func.count(), func.avg(scores.c.credit))
            .where(
                scores.c.guild_id == guild_id,
                scores.c.local_date >= start,
                scores.c.local_date <= end,
            )
            .group_by(scores.c.local_date)
            .order_by(scores.c.local_date)
        )
        return [
            DayStat(day, int(count), float(mean)) for day, count, mean in await self._rows(query)
        ]

    async def topic_stats(self, guild_id: int, start: date, end: date) -> list[TopicStat]:
        query = (
            select(scores.c.topic, func.count(), func.sum(scores.c.credit))
            .where(
                scores.c.guild_id == guild_id,
                scores.c.local_date >= start,
                scores.c.local_date <= end,
            )
            .group_by(scores.c.topic)
            .order_by(scores.c.topic)
        )
        return [TopicStat(t, int(n), float(c)) for t, n, c in await self._rows(query)]

    async def member(self, guild_id: int, user_id: int) -> tuple[str, bool] | None:
        query = select(members.c.display_name, members.c.hidden).where(
            members.c.guild_id == guild_id, members.c.user_id == user_id
        )
        rows = await self._rows(query)
        return (rows[0].display_name, bool(rows[0].hidden)) if rows else None

    async def set_hidden(
        self, guild_id: int, user_id: int, display_name: str, hidden: bool, now: datetime
    ) -> None:
        statement = upsert(
            self._engine, members, ["guild_id", "user_id"], ["display_name", "hidden"]
        ).values(
            guild_id=guild_id,
            user_id=user_id,
            display_name=display_name[:100],
            hidden=hidden,
            first_seen_at=now,
        )
        async with self._engine.begin() as connection:
            await connection.execute(statement)
