"""Running the production studybot against the loopback servers for one test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import discord

from bot.__main__ import Application, build_application
from bot.settings import Settings
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.discord_server import StudyGroupDiscord


def settings_for(
    discord: StudyGroupDiscord,
    database: Path,
    anthropic: FakeAnthropic | None = None,
    **overrides: Any,
) -> Settings:
    """Settings as a deploy would write them, pointing at the fakes."""
    values: dict[str, Any] = {
        "discord_token": discord.token,
        "database_url": f"sqlite+aiosqlite:///{database}",
        "discord_api_url": discord.api_base,
        "discord_gateway_url": discord.gateway_url,
        "dev_guild_id": discord.guild.id,
        "log_level": "DEBUG",
    }
    if anthropic is not None:
        values["anthropic_api_key"] = "sk-ant-test-key-0123456789"
        values["anthropic_base_url"] = anthropic.base_url
    values.update(overrides)
    return Settings(_env_file=None, **values)


@contextlib.asynccontextmanager
async def running_app(
    settings: Settings,
    discord: StudyGroupDiscord,
    *,
    timeout: float = 10,  # noqa: ASYNC109
    sweep_seconds: float = 60,
) -> AsyncIterator[Application]:
    """Build, log in and connect the real bot; wait until it is ready and has synced."""
    app = await build_application(settings, guild_ready_timeout=0.1, sweep_seconds=sweep_seconds)
    bot = app.bot
    await bot.login(settings.discord_token.get_secret_value())  # type: ignore[union-attr]
    connect = asyncio.create_task(bot.connect(reconnect=True), name="studybot-connect")
    try:
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait(
            {connect, ready}, timeout=timeout, return_when="FIRST_COMPLETED"
        )
        if connect in done:
            connect.result()
            raise AssertionError("bot.connect() ended before ready")
        if ready not in done:
            ready.cancel()
            raise AssertionError("the bot was not ready in time")
        yield app
    finally:
        await app.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(connect, timeout)


async def replace_cogs(
    app: Application, guild_id: int, names: Sequence[str], cogs: Sequence[Any]
) -> None:
    """Swap production cogs for ones built on a test's clock or timings, and re-sync.

    Everything else (client, services, database, wire protocol) stays production.
    """
    guild = discord.Object(guild_id)
    for name in names:
        cog = app.bot.get_cog(name)
        group = getattr(cog, "__cog_app_commands_group__", None)
        await app.bot.remove_cog(name)
        if group is not None:  # discord.py leaves a GroupCog's group in the tree
            app.bot.tree.remove_command(group.name)
    app.bot.tree.clear_commands(guild=guild)
    for cog in cogs:
        await app.bot.add_cog(cog)
    app.bot.tree.copy_global_to(guild=guild)
    await app.bot.tree.sync(guild=guild)
