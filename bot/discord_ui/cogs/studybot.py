"""The ``/studybot`` command group: about, and the server's admin commands."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_ui.errors import NO_MENTIONS


class StudybotCog(commands.GroupCog, group_name="studybot", group_description="About studybot"):
    def __init__(self, version: str) -> None:
        self.version = version
        super().__init__()

    @app_commands.command(name="about", description="What studybot is and which version runs")
    async def about(self, interaction: discord.Interaction) -> None:
        embed = discord.Embed(
            title="studybot",
            description=(
                "A study group for ML/AI engineer interviews: daily questions, "
                "mock interviews and progress tracking."
            ),
            colour=discord.Colour.blurple(),
        )
        embed.add_field(name="Version", value=self.version)
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
        )
