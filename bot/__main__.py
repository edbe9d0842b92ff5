"""Composition root: the only place that builds concrete objects and wires them.

``studybot`` (and ``python -m bot``) lands here. Terminal-only commands run
without settings; everything else loads settings first, so a bad deploy fails
with one clear line before anything connects.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot import __version__, cli
from bot.cli.grader_eval import run_grader_eval
from bot.cli.mock import run_terminal_mock
from bot.cli.practice import run_practice
from bot.discord_ui.client import BotConfig, StudyBot
from bot.discord_ui.cogs.studybot import StudybotCog
from bot.discord_ui.daily_components import DailyHandler, daily_items
from bot.discord_ui.endpoints import point_discord_at
from bot.discord_ui.invite import invite_url
from bot.discord_ui.publisher import DiscordPublisher
from bot.domain.bank import QuestionBank
from bot.domain.errors import StudybotError
from bot.domain.models import GuildConfig
from bot.domain.plan import StudyPlan
from bot.jobs import DailyJobs
from bot.llm.client import build_client
from bot.llm.grader import ClaudeGrader
from bot.llm.offline_interviewer import OfflineInterviewer
from bot.logs import configure_logging
from bot.services.answer_writer import AnswerWriter
from bot.services.answers import AnswerService
from bot.services.clock import SystemClock
from bot.services.daily import DailyService, Repositories
from bot.services.grading import GradingService
from bot.services.mock import MockService
from bot.services.practice import TERMINAL_GUILD_ID, PracticeService
from bot.services.reports import ReportService
from bot.services.setup import SetupService
from bot.settings import Settings, SettingsError, load_settings
from bot.store import migrate
from bot.store.answers import SqlAnswerRepository
from bot.store.content import DEFAULT_CONTENT_DIR, load_bank, load_plan
from bot.store.engine import create_engine
from bot.store.guilds import SqlGuildRepository
from bot.store.interviews import SqlInterviewRepository
from bot.store.postings import SqlPostingRepository
from bot.store.reports import SqlReportRepository
from bot.store.scores import SqlScoreRepository

log = logging.getLogger("bot")

FIRST_RUN_HELP = """\
studybot needs a Discord bot token to connect.
  1. Create an application and bot at https://discord.com/developers/applications
     (docs/setup.md walks through it), then put DISCORD_TOKEN=... in .env
     (copy .env.example to start).
  2. Run `studybot run` again.
Without Discord you can already check the question bank: `studybot bank stats`."""


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

    async def start(self) -> None:
        self.writer.start()
        self.grading.start()

    async def close(self) -> None:
        """Flush answers, finish the grade in flight, then release the database."""
        await self.writer.stop()
        await self.grading.stop()
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
    open_grader = None
    if settings.anthropic_api_key is not None:
        client = build_client(
            settings.anthropic_api_key.get_secret_value(), settings.anthropic_base_url
        )
        open_grader = ClaudeGrader(client, settings.model)
    grading = GradingService(bank, repositories.answers, repositories.postings, open_grader)
    writer = AnswerWriter(repositories.answers, on_committed=grading.on_committed)
    answers = AnswerService(bank, repositories.postings, repositories.answers, writer, clock)
    daily = DailyService(bank, plan, repositories, grading, clock)
    setup = SetupService(repositories.guilds, clock)
    offline = OfflineInterviewer(bank, bank.taxonomy)
    mock = MockService(SqlInterviewRepository(engine), offline, clock, fallback=offline)
    reports = ReportService(SqlReportRepository(engine), repositories.postings, daily, clock)
    daily.add_reveal_listener(reports.flag_if_missed)
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
    )


@dataclass
class Application:
    """A built, not yet connected bot with everything it owns."""

    services: Services
    bot: StudyBot
    jobs: DailyJobs

    @property
    def engine(self) -> AsyncEngine:
        return self.services.engine

    @property
    def daily(self) -> DailyService:
        return self.services.daily

    async def close(self) -> None:
        """Stop in dependency order: jobs, then new clicks, then the services."""
        await self.jobs.stop()
        await self.bot.close()
        await self.services.close()


async def build_application(
    settings: Settings, *, guild_ready_timeout: float = 2.0, sweep_seconds: float = 60
) -> Application:
    """Wire the Discord client over the services, with its jobs."""
    services = await build_services(settings)
    point_discord_at(settings.discord_api_url, settings.discord_gateway_url)
    daily_handler = DailyHandler(services.answers, services.reports)
    jobs_holder: list[DailyJobs] = []

    async def on_config_changed(config: GuildConfig) -> None:
        await jobs_holder[0].schedule_guild(config)

    async def start_jobs() -> None:
        await jobs_holder[0].start()

    config = BotConfig(
        version=__version__,
        dev_guild_id=settings.dev_guild_id,
        guild_ready_timeout=guild_ready_timeout,
        cogs=(
            lambda bot: StudybotCog(
                __version__,
                services.setup,
                services.daily,
                DiscordPublisher(bot, services.bank),
                on_config_changed,
                services.reports,
            ),
        ),
        dynamic_items=daily_items(daily_handler),
        on_startup=(services.start,),
        on_ready_once=(start_jobs,),
        interaction_listeners=(daily_handler.on_interaction,),
    )
    bot = StudyBot(config)
    publisher = DiscordPublisher(bot, services.bank)
    jobs = DailyJobs(
        services.daily, services.repositories.guilds, publisher, sweep_seconds=sweep_seconds
    )
    jobs_holder.append(jobs)
    return Application(services=services, bot=bot, jobs=jobs)


async def run_bot(settings: Settings) -> int:
    if settings.discord_token is None:
        print(FIRST_RUN_HELP, file=sys.stderr)
        return 2
    app = await build_application(settings)
    try:
        await app.bot.start(settings.discord_token.get_secret_value())
    finally:
        await app.close()
    return 0


async def upgrade_database(settings: Settings) -> int:
    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
        print(f"Database is at revision {await migrate.current_revision(engine)}.")
    finally:
        await engine.dispose()
    return 0


async def check_health(settings: Settings) -> int:
    """0 when the database answers and is at the newest migration (Docker HEALTHCHECK)."""
    engine = create_engine(settings.database_url)
    try:
        healthy = await migrate.current_revision(engine) == migrate.head_revision()
    except Exception:  # any failure to open or read the database is "unhealthy"
        log.exception("Health check could not read the database")
        healthy = False
    finally:
        await engine.dispose()
    print("healthy" if healthy else "unhealthy")
    return 0 if healthy else 1


async def read_stdin_line() -> str | None:
    """One line from the terminal without blocking the event loop; None at end of input."""
    line = await asyncio.to_thread(sys.stdin.readline)
    return line.rstrip("\n") if line else None


async def terminal_command(settings: Settings, args: argparse.Namespace) -> int:
    """practice, mock and grader eval: the services without Discord."""
    # The terminal is for the member; routine INFO lines would bury the question.
    logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
    services = await build_services(settings)
    await services.start()
    try:
        if args.command == "practice":
            return await run_practice(
                services.practice,
                services.bank.taxonomy,
                user_id=args.member,
                timezone=args.timezone,
                read_line=read_stdin_line,
                write=print,
            )
        if args.command == "mock":
            await run_terminal_mock(
                services.mock,
                guild_id=TERMINAL_GUILD_ID,
                user_id=args.member,
                round=args.round,
                track=args.track,
                minutes=args.minutes,
                mode=args.mode,
                read_line=read_stdin_line,
                write=print,
                taxonomy=services.bank.taxonomy,
            )
            return 0
        return await run_grader_eval(services.bank, args.cases, print, services.grading.open_grader)
    except StudybotError as error:
        print(error.user_message, file=sys.stderr)
        return 2
    finally:
        await services.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = cli.parse(argv)
    handled = cli.run_terminal_command(args)
    if handled is not None:
        return handled
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"Invalid setting: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings)
    if args.command == "invite-url":
        return invite_url_command(settings, args.client_id)
    if args.command == "db":
        return asyncio.run(upgrade_database(settings))
    if args.command == "health":
        return asyncio.run(check_health(settings))
    if args.command in {"practice", "mock", "grader"}:
        return asyncio.run(terminal_command(settings, args))
    try:
        return asyncio.run(run_bot(settings))
    except KeyboardInterrupt:
        return 0


def invite_url_command(settings: Settings, client_id: int | None) -> int:
    try:
        print(invite_url(client_id, settings.discord_token))
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
