"""Composition root: the only place that builds concrete objects and wires them.

``studybot`` (and ``python -m bot``) lands here. Terminal-only commands run
without settings; everything else loads settings first, so a bad deploy fails
with one clear line before anything connects.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot import __version__, cli
from bot.discord_ui.client import BotConfig, StudyBot
from bot.discord_ui.cogs.studybot import StudybotCog
from bot.discord_ui.daily_components import DailyHandler, daily_items
from bot.discord_ui.endpoints import point_discord_at
from bot.discord_ui.invite import invite_url
from bot.discord_ui.publisher import DiscordPublisher
from bot.domain.models import GuildConfig
from bot.jobs import DailyJobs
from bot.logs import configure_logging
from bot.services.answer_writer import AnswerWriter
from bot.services.answers import AnswerService
from bot.services.clock import SystemClock
from bot.services.daily import DailyService, Repositories
from bot.services.grading import GradingService
from bot.services.setup import SetupService
from bot.settings import Settings, SettingsError, load_settings
from bot.store import migrate
from bot.store.answers import SqlAnswerRepository
from bot.store.content import DEFAULT_CONTENT_DIR, load_bank, load_plan
from bot.store.engine import create_engine
from bot.store.guilds import SqlGuildRepository
from bot.store.postings import SqlPostingRepository
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
class Application:
    """A built, not yet connected bot with everything it owns."""

    settings: Settings
    engine: AsyncEngine
    bot: StudyBot
    writer: AnswerWriter
    grading: GradingService
    daily: DailyService
    jobs: DailyJobs

    async def close(self) -> None:
        """Stop in dependency order: no new clicks, flush answers, then the database."""
        await self.jobs.stop()
        await self.bot.close()
        await self.writer.stop()
        await self.grading.stop()
        await self.engine.dispose()


async def build_application(
    settings: Settings, *, guild_ready_timeout: float = 2.0, sweep_seconds: float = 60
) -> Application:
    """Migrate the database and wire the bot, its services and its jobs."""
    bank = load_bank(settings.content_dir or DEFAULT_CONTENT_DIR)
    plan = load_plan(settings.content_dir or DEFAULT_CONTENT_DIR)
    engine = create_engine(settings.database_url)
    await migrate.upgrade(engine)
    clock = SystemClock()
    repositories = Repositories(
        guilds=SqlGuildRepository(engine),
        postings=SqlPostingRepository(engine),
        answers=SqlAnswerRepository(engine),
        scores=SqlScoreRepository(engine),
    )
    grading = GradingService(bank, repositories.answers, repositories.postings)
    writer = AnswerWriter(repositories.answers, on_committed=grading.on_committed)
    answers = AnswerService(bank, repositories.postings, repositories.answers, writer, clock)
    daily = DailyService(bank, plan, repositories, grading, clock)
    setup = SetupService(repositories.guilds, clock)
    daily_handler = DailyHandler(answers)

    point_discord_at(settings.discord_api_url, settings.discord_gateway_url)
    holder: dict[str, DailyJobs] = {}

    async def on_config_changed(config: GuildConfig) -> None:
        await holder["jobs"].schedule_guild(config)

    async def start_background() -> None:
        writer.start()
        grading.start()

    async def start_jobs() -> None:
        await holder["jobs"].start()

    config = BotConfig(
        version=__version__,
        dev_guild_id=settings.dev_guild_id,
        guild_ready_timeout=guild_ready_timeout,
        cogs=(
            lambda bot: StudybotCog(
                __version__, setup, daily, DiscordPublisher(bot, bank), on_config_changed
            ),
        ),
        dynamic_items=daily_items(daily_handler),
        on_startup=(start_background,),
        on_ready_once=(start_jobs,),
        interaction_listeners=(daily_handler.on_interaction,),
    )
    bot = StudyBot(config)
    jobs = DailyJobs(
        daily, repositories.guilds, DiscordPublisher(bot, bank), sweep_seconds=sweep_seconds
    )
    holder["jobs"] = jobs
    return Application(settings, engine, bot, writer, grading, daily, jobs)


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
