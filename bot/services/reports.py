"""Reports of wrong keys or unfair grades, flags, and admins' regrades.

A question is flagged for admins when several members report it or when most
of the group missed it; flags are hints to re-read the key, not verdicts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.errors import InvalidInputError, NotFoundError
from bot.domain.models import Posting, PostingStatus, ReportSummary
from bot.domain.ports import Clock, PostingRepository, RevealSummary
from bot.services.daily import DailyService

REPORTS_TO_FLAG = 3
MISSED_SHARE_TO_FLAG = 0.3  # flag when the group's mean credit is below this
MIN_PARTICIPANTS_TO_FLAG = 3
REASON_MAX = 500


class ReportRepository(Protocol):
    async def add(self, posting_id: int, user_id: int, reason: str, now: datetime) -> int: ...
    async def flag(self, posting_id: int) -> None: ...
    async def open_reports(self, guild_id: int, limit: int = 20) -> list[ReportSummary]: ...
    async def override_credit(self, posting_id: int, user_id: int, credit: float) -> bool: ...


class ReportService:
    def __init__(
        self,
        reports: ReportRepository,
        postings: PostingRepository,
        daily: DailyService,
        clock: Clock,
    ) -> None:
        self._reports = reports
        self._postings = postings
        self._daily = daily
        self._clock = clock

    async def _posting(self, guild_id: int, posting_id: int) -> Posting:
        posting = await self._postings.get(posting_id)
        if posting is None or posting.guild_id != guild_id:
            raise NotFoundError(f"There is no question #{posting_id} in this server.")
        return posting

    async def report(self, guild_id: int, posting_id: int, user_id: int, reason: str) -> None:
        """Store a member's report (one per member per question; the latest counts)."""
        cleaned = " ".join(reason.split())
        if not cleaned:
            raise InvalidInputError("Say briefly what is wrong, so an admin can check.")
        if len(cleaned) > REASON_MAX:
            raise InvalidInputError(f"Keep the reason under {REASON_MAX} characters.")
        await self._posting(guild_id, posting_id)
        count = await self._reports.add(posting_id, user_id, cleaned, self._clock.now())
        if count >= REPORTS_TO_FLAG:
            await self._reports.flag(posting_id)

    async def flag_if_missed(self, summary: RevealSummary) -> None:
        """After a reveal: flag a question most of the group got wrong."""
        if (
            summary.participants >= MIN_PARTICIPANTS_TO_FLAG
            and summary.mean_credit < MISSED_SHARE_TO_FLAG
        ):
            await self._reports.flag(summary.posting.id)

    async def open_reports(self, guild_id: int) -> list[ReportSummary]:
        return await self._reports.open_reports(guild_id)

    async def regrade(self, guild_id: int, posting_id: int, user_id: int, credit: float) -> None:
        """Override one member's credit and recompute the day's points."""
        if not 0.0 <= credit <= 1.0:
            raise InvalidInputError("Credit is a number from 0 to 1, such as 0.5.")
        posting = await self._posting(guild_id, posting_id)
        if posting.status is not PostingStatus.REVEALED:
            raise InvalidInputError("Regrade after the reveal, once everyone's answers are in.")
        if not await self._reports.override_credit(posting_id, user_id, credit):
            raise NotFoundError("That member did not answer this question.")
        await self._daily.score(posting)
