"""Speed of /progress (figures and chart) and /leaderboard on a year of history, real SQLite.

    .venv/bin/python -m bench.bench_progress [--members 1000] [--days 365] [--calls 60]

Builds a fresh database (migrations applied) with ``members`` members answering
every day for ``days`` days (one score and one answer row each), then times, at
full scale and at a tenth of the members:

- ``/progress``: ``ProgressService.progress`` plus the chart, rendered with
  ``asyncio.to_thread`` as the cog does (members' review cards synced first);
- ``/leaderboard``: one page of the points board for week, season and all time,
  both *cold* (standings cache off, as right after a reveal) and *warm*.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.charts.progress import progress_chart
from bot.domain.progress import Period
from bot.services.leaderboard import LeaderboardService, StandingsReader
from bot.services.progress import ProgressService
from bot.services.review import ReviewService
from bot.store import migrate
from bot.store.content import load_bank, load_plan
from bot.store.engine import create_engine
from bot.store.guilds import SqlGuildRepository
from bot.store.progress import SqlProgressRepository
from bot.store.review_cards import SqlReviewCardRepository

GUILD = 1
START = date(2025, 1, 1)


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


def seed(path: Path, members: int, days: int) -> None:
    """Bulk rows through sqlite3 (the bot's own writes are not what is measured)."""
    questions = load_bank().questions
    rng = random.Random(7)
    stamp = "2025-01-01 00:00:00.000000"
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO guilds (id, name, channel_id, post_time, timezone, weekdays,"
        " answer_window_minutes, rounds, tracks, cohort_start, paused, seed,"
        " discussion_threads, weekly_recap, private_mock_threads, daily_token_budget,"
        " mock_limit_per_member, created_at, updated_at) VALUES"
        " (?, 'bench', 5, '09:00', 'UTC', '0123456', 720, '', '', ?, 0, 's', 1, 1, 1, 1, 3, ?, ?)",
        (GUILD, START.isoformat(), stamp, stamp),
    )
    con.executemany(
        "INSERT INTO members VALUES (?, ?, ?, ?, ?)",
        [(GUILD, u, f"member {u}", u % 50 == 0, stamp) for u in range(1, members + 1)],
    )
    for day in range(days):
        local = (START + timedelta(days=day)).isoformat()
        question = questions[day % len(questions)]
        con.execute(
            "INSERT INTO postings (id, guild_id, local_date, cohort_day, question_id, channel_id,"
            " status, claimed_at, closes_at, flagged)"
            " VALUES (?, ?, ?, ?, ?, 5, 'revealed', ?, ?, 0)",
            (day + 1, GUILD, local, day + 1, question.id, stamp, stamp),
        )
        scores, answers = [], []
        for user in range(1, members + 1):
            credit = rng.choice((0.0, 0.5, 1.0, 1.0))
            at = f"{local} 09:{rng.randint(0, 59):02d}:00.000000"
            points = round(10 * question.difficulty * credit, 1)
            scores.append((day + 1, user, GUILD, local, question.id, question.topic,
                           question.round.value, credit, points, 0, at))  # fmt: skip
            answers.append((day + 1, GUILD, user, rng.choice(("sure", "unsure", "guess")), at,
                            at, credit))  # fmt: skip
        con.executemany("INSERT INTO scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", scores)
        con.executemany(
            "INSERT INTO answers (posting_id, guild_id, user_id, confidence, first_answered_at,"
            " answered_at, revision, credit, graded_revision) VALUES (?, ?, ?, ?, ?, ?, 1, ?, 1)",
            answers,
        )
    con.commit()
    con.execute("ANALYZE")
    con.close()


async def timed(action: Callable[[], Awaitable[object]], calls: int) -> list[float]:
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        await action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(label: str, samples: list[float]) -> str:
    p95 = statistics.quantiles(samples, n=20)[-1] if len(samples) >= 2 else samples[0]
    return f"  {label:<34} median {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms"


async def run_scale(members: int, days: int, calls: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="studybot-bench-"))
    path = folder / "bench.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await migrate.upgrade(engine)
    started = time.perf_counter()
    await asyncio.to_thread(seed, path, members, days)
    print(f"{members} members x {days} days = {members * days:,} score rows "
          f"(seeded in {time.perf_counter() - started:.1f} s)")  # fmt: skip
    last_day = datetime.combine(START + timedelta(days=days - 1), datetime.min.time(), UTC)
    bank, clock = load_bank(), FixedClock(last_day + timedelta(hours=22))
    repository, guilds = SqlProgressRepository(engine), SqlGuildRepository(engine)
    review = ReviewService(bank, SqlReviewCardRepository(engine), clock)
    rng = random.Random(3)
    sample = rng.sample(range(1, members + 1), min(20, members))
    try:
        for label, ttl in (("cold", 0.0), ("warm", 60.0)):
            reader = StandingsReader(repository, ttl=ttl)
            progress = ProgressService(bank, load_plan(), repository, reader, guilds, review, clock)
            board = LeaderboardService(reader, repository, guilds, clock)
            for user in sample:  # first visit: the member's cards are created (a write)
                await progress.progress(GUILD, user, user)

            async def show_progress(service: ProgressService = progress) -> None:
                user = rng.choice(sample)
                result = await service.progress(GUILD, user, user)
                await asyncio.to_thread(progress_chart, result)

            print(summary(f"/progress + chart ({label})", await timed(show_progress, calls)))
            for period in Period:

                async def show_board(
                    period: Period = period, service: LeaderboardService = board
                ) -> None:
                    user = rng.choice(sample)
                    await service.board(GUILD, user, period=period, page=rng.randrange(3))

                samples = await timed(show_board, calls * 2)
                print(summary(f"/leaderboard {period.value} ({label})", samples))
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--calls", type=int, default=60)
    args = parser.parse_args()
    for members in (args.members, max(1, args.members // 10)):
        asyncio.run(run_scale(members, args.days, args.calls))


if __name__ == "__main__":
    main()
