"""Leaderboards: points and (shrunk) accuracy per week, season (calendar month) or all time.

All-time totals scan every score row of a server (about 50 ms at a year of
1,000 members), so :class:`StandingsReader` keeps standings until the scores
change: :meth:`StandingsReader.refresh` runs whenever a posting is scored (a
reveal, a regrade) and recomputes the all-time board right away, off any
member's interaction. ``ttl`` (an hour) only bounds staleness of what no
refresh touches, such as display names.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.errors import InvalidInputError
from bot.domain.ports import Clock, GuildRepository
from bot.domain.progress import (
    SHRINK_K,
    Period,
    Ranked,
    period_range,
    rank_of,
    rank_with_ties,
    season_name,
    shrunk_accuracy,
)
from bot.domain.progress_ports import DayStat, ProgressRepository, Standing
from bot.domain.questions import Round

PAGE_SIZE = 10
BoardKind = str  # "points" | "accuracy"
KINDS = ("points", "accuracy")


@dataclass(frozen=True)
class BoardLine:
    rank: int
    tied: bool
    user_id: int
    name: str
    points: float
    answered: int
    accuracy: float | None
    score: float  # what the board ranks by: points, or shrunk accuracy


@dataclass(frozen=True)
class Board:
    kind: BoardKind
    period: Period
    round: Round | None
    label: str  # "week of 2026-03-09", "March 2026", "all time"
    page: int  # 0-based
    pages: int
    lines: tuple[BoardLine, ...]
    ranked: int  # members on the public board
    viewer: BoardLine | None
    viewer_hidden: bool
    group_accuracy: float | None
    k: float


class StandingsReader:
    """Standings with a short-lived cache (see the module docstring)."""

    def __init__(
        self,
        repository: ProgressRepository,
        *,
        ttl: float = 3600.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repository = repository
        self._ttl = ttl
        self._monotonic = monotonic
        self._cache: dict[tuple[object, ...], tuple[float, list[Standing]]] = {}

    async def standings(
        self, guild_id: int, start: date | None, end: date | None, round_: str | None
    ) -> list[Standing]:
        key = (guild_id, start, end, round_)
        cached = self._cache.get(key)
        if cached is not None and self._monotonic() - cached[0] < self._ttl:
            return cached[1]
        found = await self._repository.standings(guild_id, start, end, round_)
        if self._ttl > 0:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[key] = (self._monotonic(), found)
        return found

    def invalidate(self, guild_id: int) -> None:
        """Forget a server's standings (call after its scores change)."""
        for key in [key for key in self._cache if key[0] == guild_id]:
            del self._cache[key]

    async def refresh(self, guild_id: int) -> None:
        """Forget a server's standings and recompute the all-time board, the costly one."""
        self.invalidate(guild_id)
        await self.standings(guild_id, None, None, None)


def _line(ranked: Ranked[Standing], score: float) -> BoardLine:
    s = ranked.item
    return BoardLine(
        rank=ranked.rank,
        tied=ranked.tied,
        user_id=s.user_id,
        name=s.display_name,
        points=s.points,
        answered=s.answered,
        accuracy=s.credit / s.answered if s.answered else None,
        score=score,
    )


class LeaderboardService:
    def __init__(
        self,
        reader: StandingsReader,
        repository: ProgressRepository,
        guilds: GuildRepository,
        clock: Clock,
        *,
        k: float = SHRINK_K,
    ) -> None:
        self._reader = reader
        self._repository = repository
        self._guilds = guilds
        self._clock = clock
        self._k = k

    async def _today(self, guild_id: int) -> date:
        guild = await self._guilds.get(guild_id)
        now = self._clock.now()
        return guild.schedule.local_date(now) if guild is not None else now.date()

    async def board(
        self,
        guild_id: int,
        viewer_id: int,
        *,
        period: Period = Period.WEEK,
        round_: Round | None = None,
        kind: BoardKind = "points",
        page: int = 0,
    ) -> Board:
        """One page of a board, with the viewer's own line whatever page it is."""
        if kind not in KINDS:
            raise InvalidInputError("Choose the points or the accuracy board.")
        today = await self._today(guild_id)
        start, end = period_range(period, today)
        rows = await self._reader.standings(guild_id, start, end, round_.value if round_ else None)
        answered = sum(s.answered for s in rows)
        mean = sum(s.credit for s in rows) / answered if answered else None
        score = self._scorer(kind, mean)
        public = rank_with_ties(
            [s for s in rows if not s.hidden], score, tiebreak=lambda s: s.display_name.casefold()
        )
        pages = max(1, math.ceil(len(public) / PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        mine = rank_of(
            rows, viewer_id, ident=lambda s: s.user_id, hidden=lambda s: s.hidden, score=score
        )
        chunk = public[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        return Board(
            kind=kind,
            period=period,
            round=round_,
            label=_label(period, start, today),
            page=page,
            pages=pages,
            lines=tuple(_line(r, score(r.item)) for r in chunk),
            ranked=len(public),
            viewer=_line(mine, score(mine.item)) if mine else None,
            viewer_hidden=bool(mine and mine.item.hidden),
            group_accuracy=mean,
            k=self._k,
        )

    def _scorer(self, kind: BoardKind, mean: float | None) -> Callable[[Standing], float]:
        if kind == "points":
            return lambda s: s.points
        prior, k = (mean or 0.0), self._k
        return lambda s: shrunk_accuracy(s.credit, s.answered, prior, k)

    async def set_privacy(
        self, guild_id: int, user_id: int, display_name: str, hidden: bool
    ) -> None:
        """Hide a member from public boards (their own figures stay visible to them)."""
        if await self._guilds.get(guild_id) is None:
            raise InvalidInputError("studybot is not set up in this server yet.")
        await self._repository.set_hidden(
            guild_id, user_id, display_name, hidden, self._clock.now()
        )
        self._reader.invalidate(guild_id)

    async def participation(self, guild_id: int, days: int = 28) -> list[DayStat]:
        """Members answering and their mean credit per day over the last ``days`` days."""
        today = await self._today(guild_id)
        start = date.fromordinal(today.toordinal() - days + 1)
        return await self._repository.daily_stats(guild_id, start, today)

    def now(self) -> datetime:
        return self._clock.now()


def _label(period: Period, start: date | None, today: date) -> str:
    if period is Period.WEEK and start is not None:
        return f"week of {start.isoformat()}"
    if period is Period.SEASON:
        return season_name(today)
    return "all time"
