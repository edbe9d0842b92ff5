"""The Discord client: intents, cogs, persistent components and command sync."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_ui.errors import NO_MENTIONS, report_error

log = logging.getLogger(__name__)

CogFactory = Callable[["StudyBot"], commands.Cog]
StartupHook = Callable[[], Awaitable[None]]
InteractionListener = Callable[[discord.Interaction], Awaitable[None]]


@dataclass(frozen=True)
class BotConfig:
    """What the client itself needs to know; services reach cogs through factories."""

    version: str
    dev_guild_id: int | None = None
    guild_ready_timeout: float = 2.0
    cogs: Sequence[CogFactory] = ()
    dynamic_items: Sequence[type[discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]]]] = ()
    on_startup: Sequence[StartupHook] = field(default_factory=tuple)
    on_ready_once: Sequence[StartupHook] = field(default_factory=tuple)
    interaction_listeners: Sequence[InteractionListener] = field(default_factory=tuple)


class StudyTree(app_commands.CommandTree["StudyBot"]):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


class StudyBot(commands.Bot):
    """studybot's client. Never pings: ``AllowedMentions.none()`` is the default."""

    def __init__(self, config: BotConfig) -> None:
        intents = discord.Intents.default()
        intents.message_content = True  # mock interviews read the candidate's answers
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=NO_MENTIONS,
            tree_cls=StudyTree,
            help_command=None,
            guild_ready_timeout=config.guild_ready_timeout,
            chunk_guilds_at_startup=False,
        )
        self.config = config
        self._ready_once_done = False

    async def setup_hook(self) -> None:
        for factory in self.config.cogs:
            await self.add_cog(factory(self))
        if self.config.dynamic_items:
            self.add_dynamic_items(*self.config.dynamic_items)
        for hook in self.config.on_startup:
            await hook()
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Sync to the dev guild when set (instant), else globally (can take an hour)."""
        if self.config.dev_guild_id is not None:
            guild = discord.Object(id=self.config.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info("Synced %d application commands", len(synced))

    async def on_ready(self) -> None:
        log.info("Connected as %s to %d servers", self.user, len(self.guilds))
        if not self._ready_once_done:
            # Jobs post to channels, so they start once the guild cache is filled.
            self._ready_once_done = True
            for hook in self.config.on_ready_once:
                await hook()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        for listener in self.config.interaction_listeners:
            await listener(interaction)
