"""APScheduler wiring, rebuilt from the database at every start.

Our tables are the truth; APScheduler only wakes us up. Each server gets a
cron job at its local post time (in its own time zone); each posted question a
date job at its close. A sweep every minute catches anything a wake-up missed
(a restart, a post-now, a DST quirk): because claims are unique per server and
local date and reveals are idempotent, running a step twice is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.domain.models import GuildConfig, Posting
from bot.domain.ports import GuildRepository, Publisher
from bot.services.daily import DailyService
from bot.services.recap import Recap, WeeklyRecapService

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60
MISFIRE_GRACE_SECONDS = 900
CRON_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class RecapPublisher(Protocol):
    async def post_recap(self, guild: GuildConfig, recap: Recap) -> None: ...


class WeeklyRecaps:
    """Builds and posts a server's weekly recap (a server setting, on by default)."""

    def __init__(self, recaps: WeeklyRecapService, publisher: RecapPublisher) -> None:
        self._recaps = recaps
        self._publisher = publisher

    async def post(self, guild: GuildConfig, now: datetime) -> None:
        """The recap of the local week that ended before ``now``."""
        today = now.astimezone(ZoneInfo(guild.timezone)).date()
        week_start = today - timedelta(days=today.weekday() + 7)
        recap = await self._recaps.build(guild.id, week_start)
        if recap.enabled and recap.answers:
            await self._publisher.post_recap(guild, recap)


class DailyJobs:
    def __init__(
        self,
        daily: DailyService,
        guilds: GuildRepository,
        publisher: Publisher,
        *,
        sweep_seconds: float = SWEEP_SECONDS,
        recap: WeeklyRecaps | None = None,
    ) -> None:
        self._daily = daily
        self._guilds = guilds
        self._publisher = publisher
        self._sweep_seconds = sweep_seconds
        self._recap = recap
        self._running: set[asyncio.Task[object]] = set()
        self._scheduler = AsyncIOScheduler(
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            }
        )

    async def start(self) -> None:
        """Schedule every server and open posting, then catch up with one sweep."""
        with self._tracked():
            self._scheduler.start()
            for guild in await self._guilds.all_set_up():
                self.schedule_guild(guild)
            for posting in await self._daily.open_postings():
                self._schedule_reveal(posting)
            self._scheduler.add_job(
                self.sweep,
                IntervalTrigger(seconds=self._sweep_seconds),
                id="sweep",
                replace_existing=True,
            )
        await self.sweep()

    async def stop(self, timeout: float = 10) -> None:  # noqa: ASYNC109
        """Stop waking up, let running steps finish (a half-sent post is worse than
        a slow shutdown), then shut the scheduler down."""
        if self._scheduler.running:
            self._scheduler.pause()
        current = asyncio.current_task()
        running = {task for task in self._running if task is not current}
        if running:
            await asyncio.wait(running, timeout=timeout)
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    @contextlib.contextmanager
    def _tracked(self) -> Iterator[None]:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._running.discard(task)

    def schedule_guild(self, guild: GuildConfig) -> None:
        """(Re)place a server's cron job after setup, pause or resume."""
        job_id = f"post:{guild.id}"
        if guild.paused or not guild.is_set_up:
            for stale in (job_id, f"recap:{guild.id}"):
                if self._scheduler.get_job(stale):
                    self._scheduler.remove_job(stale)
            return
        hour, minute = (int(part) for part in guild.post_time.split(":"))
        zone = ZoneInfo(guild.timezone)
        trigger = CronTrigger(
            day_of_week=",".join(CRON_DAYS[d] for d in sorted(guild.weekdays)),
            hour=hour,
            minute=minute,
            timezone=zone,
        )
        self._scheduler.add_job(
            self.post, trigger, args=[guild.id], id=job_id, replace_existing=True
        )
        if self._recap is not None and guild.weekly_recap:
            # The start of the server's week: Monday, just before its post time.
            self._scheduler.add_job(
                self.post_recap,
                CronTrigger(day_of_week="mon", hour=hour, minute=minute, timezone=zone),
                args=[guild.id],
                id=f"recap:{guild.id}",
                replace_existing=True,
            )
        # A server set up after today's post time is still in today's window: post
        # now, as a job of its own, so the admin's setup reply never waits on it.
        self._scheduler.add_job(
            self.post, args=[guild.id], id=f"catch-up:{guild.id}", replace_existing=True
        )

    async def post(self, guild_id: int) -> None:
        with self._tracked():
            await self._post(guild_id)

    async def _post(self, guild_id: int) -> None:
        try:
            posting = await self._daily.post_if_due(guild_id, self._publisher)
        except Exception:
            log.exception("Posting the daily question for guild %s failed", guild_id)
            return
        if posting is not None:
            self._schedule_reveal(posting)

    async def post_recap(self, guild_id: int) -> None:
        with self._tracked():
            guild = await self._guilds.get(guild_id)
            if guild is None or self._recap is None or guild.paused:
                return
            try:
                await self._recap.post(guild, datetime.now(UTC))
            except Exception:
                log.exception("Posting the weekly recap for guild %s failed", guild_id)

    def _schedule_reveal(self, posting: Posting) -> None:
        self._scheduler.add_job(
            self.reveal,
            DateTrigger(run_date=posting.closes_at),
            id=f"reveal:{posting.id}",
            replace_existing=True,
        )

    async def reveal(self) -> None:
        with self._tracked():
            await self._reveal()

    async def _reveal(self) -> None:
        try:
            await self._daily.reveal_due(self._publisher)
        except Exception:
            log.exception("Revealing due questions failed")

    async def sweep(self) -> None:
        """Retry unsent claims, post what is due, reveal what has closed."""
        with self._tracked():
            try:
                await self._daily.reconcile(self._publisher)
                guilds = await self._guilds.all_set_up()
            except Exception:
                log.exception("Reconciling unsent questions failed")
                return
            for guild in guilds:
                await self._post(guild.id)
            await self._reveal()

    def next_wakeups(self) -> dict[str, datetime]:
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}
