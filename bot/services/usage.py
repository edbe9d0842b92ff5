"""The admins' usage report: LLM tokens per purpose, against the server's budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.ports import Clock
from bot.domain.usage import UsageSummary


class UsageSummaries(Protocol):
    async def summary(self, guild_id: int, since: datetime) -> UsageSummary: ...


@dataclass(frozen=True)
class UsageReport:
    last_day: UsageSummary
    last_week: UsageSummary


class UsageService:
    def __init__(self, usage: UsageSummaries, clock: Clock) -> None:
        self._usage = usage
        self._clock = clock

    async def report(self, guild_id: int) -> UsageReport:
        now = self._clock.now()
        return UsageReport(
            last_day=await self._usage.summary(guild_id, now - timedelta(days=1)),
            last_week=await self._usage.summary(guild_id, now - timedelta(days=7)),
        )
