"""Wiring: the only place that builds concrete objects (called from ``__main__``).

``build_services`` builds everything the front ends call, for the bot and the
terminal alike; ``build_application`` adds the Discord client, its cogs and its
scheduled jobs on top.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from bot import __version__
from bot.discord_ui.client import BotConfig, StudyBot
from bot.discord_ui.cogs.leaderboard import LeaderboardCog
from bot.discord_ui.cogs.mock import MockCog, mock_components
from bot.discord_ui.cogs.progress import ProgressCog
from bot.discord_ui.cogs.review import ReviewCog
from bot.discord_ui.cogs.studybot import StudybotCog
from bot.discord_ui.daily_components import DailyHandler, daily_items
from bot.discord_ui.endpoints import point_discord_at
from bot.discord_ui.publisher import DiscordPublisher
from bot.discord_ui.streaming import EditBudget
from bot.domain.bank import QuestionBank
from bot.domain.debrief import Debrief
from bot.domain.interview import InterviewSession
from bot.domain.interviewer import Interviewer
from bot.domain.models import GuildConfig
from bot.domain.plan import StudyPlan
from bot.domain.ports import RevealSummary
from bot.jobs import DailyJobs, WeeklyRecaps
from bot.llm.client import build_client
from bot.llm.grader import ClaudeGrader
from bot.llm.interviewer import PROMPTS_DIR as INTERVIEW_PROMPTS_DIR
from bot.llm.interviewer import ClaudeInterviewer
from bot.llm.offline_interviewer import OfflineInterviewer
from bot.llm.usage import LlmUsage
from bot.services.answer_writer import AnswerWriter
from bot.services.answers import AnswerService
from bot.services.clock import SystemClock
from bot.services.daily import DailyService, Repositories
from bot.services.grading import GradingService
from bot.services.leaderboard import LeaderboardService, StandingsReader
from bot.services.mock import MockService
from bot.services.practice import PracticeService
from bot.services.progress import ProgressService
from bot.services.recap import WeeklyRecapService
from bot.services.reports import ReportService
from bot.services.review import ReviewService
from bot.services.setup import SetupService
from bot.services.usage import UsageService
from bot.settings import Settings
from bot.store import migrate
from bot.store.answers import SqlAnswerRepository
from bot.store.content import DEFAULT_CONTENT_DIR, load_bank, load_plan
from bot.store.engine import create_engine
from bot.store.guilds import SqlGuildRepository
from bot.store.interviews import SqlInterviewRepository
from bot.store.postings import SqlPostingRepository
from bot.store.progress import SqlProgressRepository
from bot.store.reports import SqlReportRepository
from bot.store.review_cards import SqlReviewCardRepository
from bot.store.scores import SqlScoreRepository
from bot.store.usage import SqlUsageRepository

MOCK_CLOCK_SECONDS = 60
EDITS_PER_SECOND = 4  # bot-wide budget for streaming edits, well under Discord's limits


@dataclass
class Services:
    """Everything the front ends (Discord, terminal) call, built once from settings."""

    settings: Settings
    engine: AsyncEngine
    bank: QuestionBank
    plan: StudyPlan
    repositories: Repositories
    writer: AnswerWriter
    grading: GradingService
    answers: AnswerService
    daily: DailyService
    setup: SetupService
    practice: PracticeService
    mock: MockService
    reports: ReportService
    progress: ProgressService
    leaderboard: LeaderboardService
    review: ReviewService
    recap: WeeklyRecapService
    usage: UsageService
    on_close: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def start(self) -> None:
        self.writer.start()
        self.grading.start()

    async def close(self) -> None:
        """Flush answers, finish the grades in flight, then release the database."""
        await self.writer.stop()
        await self.grading.stop()
        for close in self.on_close:
            await close()
        await self.engine.dispose()


async def build_services(settings: Settings) -> Services:
    """Load content, migrate the database and wire every service."""
    content_dir = settings.content_dir or DEFAULT_CONTENT_DIR
    bank, plan = load_bank(content_dir), load_plan(content_dir)
    engine = create_engine(settings.database_url)
    await migrate.upgrade(engine)
    clock = SystemClock()
    repositories = Repositories(
        guilds=SqlGuildRepository(engine),
        postings=SqlPostingRepository(engine),
        answers=SqlAnswerRepository(engine),
        scores=SqlScoreRepository(engine),
    )
    usage = SqlUsageRepository(engine, clock)
    on_close: list[Callable[[], Awaitable[None]]] = []

    async def record_grading_usage(call: LlmUsage) -> None:
        await usage.record(call, None, None)

    open_grader, claude_interviewer = None, None
    if settings.anthropic_api_key is not None:
        client = build_client(
            settings.anthropic_api_key.get_secret_value(), settings.anthropic_base_url
        )
        on_close.append(client.close)
        open_grader = ClaudeGrader(client, settings.model, usage_sink=record_grading_usage)
        claude_interviewer = ClaudeInterviewer(
            client, settings.model, INTERVIEW_PROMPTS_DIR, bank, bank.taxonomy, usage.record
        )

    grading = GradingService(bank, repositories.answers, repositories.postings, open_grader)
    writer = AnswerWriter(repositories.answers, on_committed=grading.on_committed)
    answers = AnswerService(bank, repositories.postings, repositories.answers, writer, clock)
    daily = DailyService(bank, plan, repositories, grading, clock)
    setup = SetupService(repositories.guilds, clock)

    interviews = SqlInterviewRepository(engine)
    offline = OfflineInterviewer(bank, bank.taxonomy, seed="studybot")
    primary: Interviewer = claude_interviewer or offline
    mock = MockService(
        interviews,
        primary,
        clock,
        fallback=offline if claude_interviewer else None,
        policy=usage,
        threads=interviews,
        interrupt_mid_stream=True,
    )

    progress_repo = SqlProgressRepository(engine)
    standings = StandingsReader(progress_repo)
    review = ReviewService(bank, SqlReviewCardRepository(engine), clock)
    reports = ReportService(SqlReportRepository(engine), repositories.postings, daily, clock)

    async def after_reveal(summary: RevealSummary) -> None:
        """Flags and review cards follow every reveal."""
        await reports.flag_if_missed(summary)
        await review.add_posting(summary.posting.id)

    async def after_debrief(session: InterviewSession, debrief: Debrief) -> None:
        """Topics a debrief recommends join the member's review cards."""
        await review.add_topics(session.guild_id, session.user_id, debrief.recommended_topics)

    daily.add_reveal_listener(after_reveal)
    mock.add_debrief_listener(after_debrief)
    daily.add_score_listener(standings.refresh)  # reveals and regrades alike
    return Services(
        settings=settings,
        engine=engine,
        bank=bank,
        plan=plan,
        repositories=repositories,
        writer=writer,
        grading=grading,
        answers=answers,
        daily=daily,
        setup=setup,
        practice=PracticeService(repositories, setup, daily, answers),
        mock=mock,
        reports=reports,
        progress=ProgressService(
            bank, plan, progress_repo, standings, repositories.guilds, review, clock
        ),
        leaderboard=LeaderboardService(standings, progress_repo, repositories.guilds, clock),
        review=review,
        recap=WeeklyRecapService(bank, progress_repo, repositories.guilds),
        usage=UsageService(usage, clock),
        on_close=on_close,
    )


@dataclass
class Application:
    """A built, not yet connected bot with everything it owns."""

    services: Services
    bot: StudyBot
    jobs: DailyJobs
    mock_cogs: list[MockCog]
    background: list[asyncio.Task[None]]

    @property
    def engine(self) -> AsyncEngine:
        return self.services.engine

    @property
    def daily(self) -> DailyService:
        return self.services.daily

    async def close(self) -> None:
        """Stop in dependency order: jobs and timers, the client, then the services."""
        await self.jobs.stop()
        for task in self.background:
            task.cancel()
        for task in self.background:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for cog in self.mock_cogs:
            await cog.runner.close()
        await self.bot.close()
        await self.services.close()


async def build_application(
    settings: Settings, *, guild_ready_timeout: float = 2.0, sweep_seconds: float = 60
) -> Application:
    """Wire the Discord client over the services, with its cogs and jobs."""
    services = await build_services(settings)
    point_discord_at(settings.discord_api_url, settings.discord_gateway_url)
    daily_handler = DailyHandler(services.answers, services.reports)
    edit_budget = EditBudget(rate=EDITS_PER_SECOND, burst=EDITS_PER_SECOND)
    jobs_holder: list[DailyJobs] = []
    mock_cogs: list[MockCog] = []
    background: list[asyncio.Task[None]] = []

    async def on_config_changed(config: GuildConfig) -> None:
        jobs_holder[0].schedule_guild(config)

    async def start_jobs() -> None:
        await jobs_holder[0].start()
        for cog in mock_cogs:
            background.append(asyncio.create_task(cog.runner.run_clock(MOCK_CLOCK_SECONDS)))

    def build_mock_cog(bot: StudyBot) -> MockCog:
        cog, _ = mock_components(
            bot, mock_service=services.mock, taxonomy=services.bank.taxonomy, budget=edit_budget
        )
        mock_cogs.append(cog)
        return cog

    def build_studybot_cog(bot: StudyBot) -> StudybotCog:
        publisher = DiscordPublisher(bot, services.bank)
        return StudybotCog(
            __version__,
            services.setup,
            services.daily,
            publisher,
            on_config_changed,
            services.reports,
            services.usage,
        )

    config = BotConfig(
        version=__version__,
        dev_guild_id=settings.dev_guild_id,
        guild_ready_timeout=guild_ready_timeout,
        cogs=(
            build_studybot_cog,
            build_mock_cog,
            lambda bot: ProgressCog(bot, services.progress),
            lambda bot: LeaderboardCog(bot, services.leaderboard),
            lambda bot: ReviewCog(bot, services.review),
        ),
        dynamic_items=daily_items(daily_handler),
        on_startup=(services.start,),
        on_ready_once=(start_jobs,),
        interaction_listeners=(daily_handler.on_interaction,),
    )
    bot = StudyBot(config)
    publisher = DiscordPublisher(bot, services.bank)
    jobs = DailyJobs(
        services.daily,
        services.repositories.guilds,
        publisher,
        sweep_seconds=sweep_seconds,
        recap=WeeklyRecaps(services.recap, publisher),
    )
    jobs_holder.append(jobs)
    return Application(services, bot, jobs, mock_cogs, background)
