"""Entry point of ``studybot`` and ``python -m bot``: parse, load settings, dispatch.

Terminal-only commands (``bank``) run without settings; everything else loads
settings first, so a bad deploy fails with one clear line before anything
connects. Objects are built in :mod:`bot.composition`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot import cli
from bot.cli.grader_eval import run_grader_eval
from bot.cli.mock import run_terminal_mock
from bot.cli.practice import run_practice
from bot.cli.progress import print_progress
from bot.composition import Application, build_application, build_services
from bot.discord_ui.invite import invite_url
from bot.domain.errors import StudybotError
from bot.logs import configure_logging
from bot.services.practice import TERMINAL_GUILD_ID
from bot.settings import Settings, SettingsError, load_settings
from bot.store import migrate
from bot.store.engine import create_engine

__all__ = ["Application", "build_application", "main"]

log = logging.getLogger("bot")

FIRST_RUN_HELP = """\
studybot needs a Discord bot token to connect.
  1. Create an application and bot at https://discord.com/developers/applications
     (docs/setup.md walks through it), then put DISCORD_TOKEN=... in .env
     (copy .env.example to start).
  2. Run `studybot run` again.
Without Discord you can try it in the terminal: `studybot practice` for today's
question, `studybot mock --round behavioral` for a mock interview."""


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
        if args.command == "progress":
            await print_progress(services.progress, args.guild, args.member, print)
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
    if args.command in {"practice", "mock", "grader", "progress"}:
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
