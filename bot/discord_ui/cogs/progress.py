"""``/progress``: a member's figures and chart, privately, with a button to share them.

:func:`progress_cogs` builds this cog with the leaderboard and review cogs, for
the composition root. Each cog registers its own buttons (``DynamicItem``s, so a
click survives a restart) when it is loaded and removes them when unloaded.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.charts.progress import progress_chart
from bot.discord_ui import ids_progress as pids
from bot.discord_ui import progress_render
from bot.discord_ui.errors import NO_MENTIONS, report_error
from bot.discord_ui.render import member_name
from bot.domain.errors import InvalidInputError, PermissionDeniedError
from bot.services.leaderboard import LeaderboardService
from bot.services.progress import MemberProgress, ProgressService
from bot.services.review import ReviewService

Button = discord.ui.Button[discord.ui.View]
DynamicButton = type[discord.ui.DynamicItem[Button]]
Action = Callable[[discord.Interaction, pids.ProgressId], Awaitable[None]]


def dynamic_button(kind: pids.ProgressKind, action: Action) -> DynamicButton:
    """A DynamicItem class answering every id of ``kind`` with ``action``."""

    class ProgressButton(discord.ui.DynamicItem[Button], template=pids.template(kind)):
        def __init__(self, parsed: pids.ProgressId) -> None:
            super().__init__(discord.ui.Button(custom_id=parsed.encode()))
            self.parsed = parsed

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
        ) -> ProgressButton:
            return cls(pids.ProgressId(kind, int(match["number"]), match["arg"]))

        async def callback(self, interaction: discord.Interaction) -> None:
            try:
                await action(interaction, self.parsed)
            except Exception as error:  # one reporting path for every failure
                await report_error(interaction, error)

    ProgressButton.__name__ = f"ProgressButton_{kind.value}"
    return ProgressButton


def guild_id_of(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise InvalidInputError("Use this command in a server.")
    return interaction.guild_id


async def render_progress(progress: MemberProgress) -> tuple[discord.Embed, discord.File]:
    """The embed and its chart; the chart renders off the event loop."""
    png = await asyncio.to_thread(progress_chart, progress)
    chart = discord.File(io.BytesIO(png), filename=progress_render.CHART_NAME)
    return progress_render.progress_embed(progress), chart


@app_commands.guild_only()
class ProgressCog(commands.Cog):
    def __init__(self, bot: commands.Bot, progress: ProgressService) -> None:
        self.bot = bot
        self.progress = progress
        self._items: tuple[DynamicButton, ...] = (
            dynamic_button(pids.ProgressKind.SHARE, self.share),
        )

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*self._items)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*self._items)

    @app_commands.command(name="progress", description="Your (or a member's) study progress")
    @app_commands.describe(member="Whose progress to show (default: yours)")
    async def show(
        self, interaction: discord.Interaction, member: discord.Member | None = None
    ) -> None:
        guild_id = guild_id_of(interaction)
        target = member or interaction.user
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.progress.progress(guild_id, target.id, interaction.user.id)
        if not result.display_name:
            result = _named(result, target.display_name)
        embed, chart = await render_progress(result)
        own = target.id == interaction.user.id
        await interaction.followup.send(
            embed=embed,
            file=chart,
            view=progress_render.share_view(target.id) if own else discord.utils.MISSING,
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    async def share(self, interaction: discord.Interaction, parsed: pids.ProgressId) -> None:
        """Post the clicker's own progress in the channel, publicly."""
        if parsed.number != interaction.user.id:
            raise PermissionDeniedError("Only the member whose progress this is can share it.")
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(thinking=True)
        result = await self.progress.progress(guild_id, parsed.number, interaction.user.id)
        if not result.display_name:
            result = _named(result, member_name(interaction))
        embed, chart = await render_progress(result)
        await interaction.followup.send(embed=embed, file=chart, allowed_mentions=NO_MENTIONS)


def _named(progress: MemberProgress, name: str) -> MemberProgress:
    return replace(progress, display_name=name)


def progress_cogs(
    bot: commands.Bot,
    progress: ProgressService,
    leaderboard: LeaderboardService,
    review: ReviewService,
) -> Sequence[commands.Cog]:
    """The cogs of this feature, for ``BotConfig.cogs`` (or ``bot.add_cog``)."""
    from bot.discord_ui.cogs.leaderboard import LeaderboardCog
    from bot.discord_ui.cogs.review import ReviewCog

    return (
        ProgressCog(bot, progress),
        LeaderboardCog(bot, leaderboard),
        ReviewCog(bot, review),
    )
