"""Members' reports of a wrong key or an unfair grade, and admins' overrides."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.models import ReportSummary
from bot.store.engine import upsert
from bot.store.tables import answers, postings, reports


class SqlReportRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, posting_id: int, user_id: int, reason: str, now: datetime) -> int:
        """Store (or replace) a member's report; returns the posting's report count."""
        statement = upsert(self._engine, reports, ["posting_id", "user_id"], ["reason"])
        async with self._engine.begin() as connection:
            await connection.execute(
                statement.values(
                    posting_id=posting_id,
                    user_id=user_id,
                    reason=reason,
                    created_at=now,
                    resolved=False,
                )
            )
            count = await connection.scalar(
                select(func.count()).select_from(reports).where(reports.c.posting_id == posting_id)
            )
        return int(count or 0)

    async def flag(self, posting_id: int) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(postings).where(postings.c.id == posting_id).values(flagged=True)
            )

    async def open_reports(self, guild_id: int, limit: int = 20) -> list[ReportSummary]:
        """Postings with unresolved reports or a flag, newest first."""
        counts = (
            select(reports.c.posting_id, func.count().label("count"))
            .where(reports.c.resolved.is_(False))
            .group_by(reports.c.posting_id)
            .subquery()
        )
        query = (
            select(
                postings.c.id,
                postings.c.question_id,
                postings.c.local_date,
                postings.c.flagged,
                func.coalesce(counts.c.count, 0).label("report_count"),
            )
            .outerjoin(counts, counts.c.posting_id == postings.c.id)
            .where(postings.c.guild_id == guild_id)
            .where((counts.c.count > 0) | postings.c.flagged.is_(True))
            .order_by(postings.c.local_date.desc())
            .limit(limit)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
            reasons: dict[int, list[str]] = {}
            if rows:
                found = await connection.execute(
                    select(reports.c.posting_id, reports.c.reason)
                    .where(reports.c.posting_id.in_([row.id for row in rows]))
                    .order_by(reports.c.created_at)
                )
                for posting_id, reason in found:
                    reasons.setdefault(posting_id, []).append(reason)
        return [
            ReportSummary(
                posting_id=row.id,
                question_id=row.question_id,
                local_date=row.local_date,
                flagged=row.flagged,
                reports=row.report_count,
                reasons=tuple(reasons.get(row.id, ())[:5]),
            )
            for row in rows
        ]

    async def override_credit(self, posting_id: int, user_id: int, credit: float) -> bool:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(answers)
                .where(answers.c.posting_id == posting_id, answers.c.user_id == user_id)
                .values(override_credit=credit)
            )
        return result.rowcount == 1
