"""``/leaderboard`` (pages of ten, the caller's own rank always shown), ``/privacy``, ``/group``.

Boards are private replies: each one carries its caller's own line, and paging
edits that reply for whoever clicks (which, on a private reply, is the caller).
"""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_ui import ids_progress as pids
from bot.discord_ui import progress_render
from bot.discord_ui.cogs.progress import DynamicButton, dynamic_button, guild_id_of
from bot.discord_ui.errors import NO_MENTIONS
from bot.discord_ui.render import COLOUR, member_name
from bot.domain.errors import NotFoundError
from bot.domain.progress import Period
from bot.domain.questions import Round
from bot.services.leaderboard import LeaderboardService

PeriodChoice = Literal["week", "season", "all"]
BoardChoice = Literal["points", "accuracy"]


@app_commands.guild_only()
class LeaderboardCog(commands.Cog):
    def __init__(self, bot: commands.Bot, leaderboard: LeaderboardService) -> None:
        self.bot = bot
        self.leaderboard = leaderboard
        self._items: tuple[DynamicButton, ...] = (
            dynamic_button(pids.ProgressKind.BOARD_PAGE, self.page),
        )

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*self._items)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*self._items)

    @app_commands.command(name="leaderboard", description="Points or accuracy rankings")
    @app_commands.describe(
        period="This week, this season (calendar month) or all time",
        round="Only one round's questions",
        board="Rank by points, or by accuracy adjusted for how much each member answered",
    )
    async def show(
        self,
        interaction: discord.Interaction,
        period: PeriodChoice = "week",
        round: Round | None = None,
        board: BoardChoice = "points",
    ) -> None:
        result = await self.leaderboard.board(
            guild_id_of(interaction),
            interaction.user.id,
            period=Period(period),
            round_=round,
            kind=board,
        )
        await interaction.response.send_message(
            embed=progress_render.board_embed(result),
            view=progress_render.board_view(result),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    async def page(self, interaction: discord.Interaction, parsed: pids.ProgressId) -> None:
        query = pids.parse_board(parsed.arg)
        try:
            period = Period(query.period) if query else None
            round_ = Round(query.round) if query and query.round else None
        except ValueError:
            period = None
        if query is None or period is None:
            raise NotFoundError("This board has expired. Run /leaderboard again.")
        result = await self.leaderboard.board(
            guild_id_of(interaction),
            interaction.user.id,
            period=period,
            round_=round_,
            kind=query.kind,
            page=parsed.number,
        )
        await interaction.response.edit_message(
            embed=progress_render.board_embed(result),
            view=progress_render.board_view(result),
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="privacy", description="Show or hide yourself on public boards")
    @app_commands.describe(hidden="True: leave public boards and recaps; your figures stay yours")
    async def privacy(self, interaction: discord.Interaction, hidden: bool) -> None:
        name = member_name(interaction)
        await self.leaderboard.set_privacy(
            guild_id_of(interaction), interaction.user.id, name, hidden
        )
        text = (
            "You are hidden from public boards and recaps. `/progress` still shows you "
            "everything, privately."
            if hidden
            else "You appear on public boards again."
        )
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="group", description="The server's participation and accuracy")
    async def group(self, interaction: discord.Interaction) -> None:
        days = await self.leaderboard.participation(guild_id_of(interaction), days=14)
        lines = [
            f"`{d.local_date:%a %d %b}` {d.participants:>3} answered · {d.mean_credit:.0%}"
            for d in days
        ]
        embed = discord.Embed(
            title="The group, last 14 days",
            description="\n".join(lines) or "No answers yet.",
            colour=COLOUR,
        )
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
        )
