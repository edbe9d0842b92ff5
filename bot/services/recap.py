"""The weekly recap: a server's week in one post (top members, most missed topic, trend).

Building is here; when to post it (the server's ``weekly_recap`` setting, on by
default) is the scheduler's business. Hidden members never appear by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.bank import QuestionBank
from bot.domain.errors import InvalidInputError
from bot.domain.ports import GuildRepository
from bot.domain.progress import MIN_TOPIC_ANSWERS, rank_with_ties
from bot.domain.progress_ports import DayStat, ProgressRepository

TOP = 3
TREND_WEEKS = 8


@dataclass(frozen=True)
class RecapMember:
    rank: int
    name: str
    points: float
    answered: int


@dataclass(frozen=True)
class WeekAccuracy:
    week_start: date
    answered: int
    accuracy: float | None


@dataclass(frozen=True)
class Recap:
    guild_id: int
    week_start: date
    enabled: bool  # the server's weekly_recap setting
    participants: int
    answers: int
    accuracy: float | None
    top: tuple[RecapMember, ...]
    most_missed: str | None  # topic name
    most_missed_accuracy: float | None
    days: tuple[DayStat, ...]
    trend: tuple[WeekAccuracy, ...]  # oldest first, ending with this week


class WeeklyRecapService:
    def __init__(
        self, bank: QuestionBank, repository: ProgressRepository, guilds: GuildRepository
    ) -> None:
        self._bank = bank
        self._repository = repository
        self._guilds = guilds

    async def build(self, guild_id: int, week_start: date) -> Recap:
        """The recap of the 7 local days from ``week_start`` (normally a Monday)."""
        guild = await self._guilds.get(guild_id)
        if guild is None:
            raise InvalidInputError("studybot is not set up in this server yet.")
        end = week_start + timedelta(days=6)
        standings = await self._repository.standings(guild_id, week_start, end, None)
        ranked = rank_with_ties(
            [s for s in standings if not s.hidden and s.answered],
            lambda s: s.points,
            tiebreak=lambda s: s.display_name.casefold(),
        )
        top = tuple(
            RecapMember(r.rank, r.item.display_name, r.item.points, r.item.answered)
            for r in ranked[:TOP]
        )
        first = week_start - timedelta(weeks=TREND_WEEKS - 1)
        days = await self._repository.daily_stats(guild_id, first, end)
        topics = await self._repository.topic_stats(guild_id, week_start, end)
        missed = min(
            (t for t in topics if t.answered >= MIN_TOPIC_ANSWERS),
            key=lambda t: (t.credit / t.answered, t.topic),
            default=None,
        )
        answers = sum(s.answered for s in standings)
        topic = self._bank.taxonomy.topic(missed.topic) if missed else None
        return Recap(
            guild_id=guild_id,
            week_start=week_start,
            enabled=guild.weekly_recap,
            participants=len(standings),
            answers=answers,
            accuracy=sum(s.credit for s in standings) / answers if answers else None,
            top=top,
            most_missed=(topic.name if topic else missed.topic) if missed else None,
            most_missed_accuracy=missed.credit / missed.answered if missed else None,
            days=tuple(d for d in days if d.local_date >= week_start),
            trend=_weekly(days, first),
        )


def _weekly(days: list[DayStat], first: date) -> tuple[WeekAccuracy, ...]:
    weeks = []
    for index in range(TREND_WEEKS):
        start = first + timedelta(weeks=index)
        inside = [d for d in days if start <= d.local_date < start + timedelta(days=7)]
        answered = sum(d.participants for d in inside)
        credit = sum(d.participants * d.mean_credit for d in inside)
        weeks.append(WeekAccuracy(start, answered, credit / answered if answered else None))
    return tuple(weeks)
