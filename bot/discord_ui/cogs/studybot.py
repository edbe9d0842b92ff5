"""``/studybot``: about, and the server's admin console for the daily question.

Discord lets only a top-level command carry default permissions, so the whole
group is shown to members with Manage Server by default (admins can widen it in
Server Settings → Integrations). Every admin command checks the permission
again in its handler: default permissions are a display hint an admin can
change, not a guarantee.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_ui import render
from bot.discord_ui.errors import NO_MENTIONS
from bot.domain.errors import InvalidInputError, PermissionDeniedError
from bot.domain.models import GuildConfig
from bot.domain.ports import Publisher
from bot.domain.schedule import search_timezones
from bot.services.daily import DailyService
from bot.services.reports import ReportService
from bot.services.setup import SetupRequest, SetupService
from bot.services.usage import UsageService

ConfigListener = Callable[[GuildConfig], Awaitable[None]]

CHANNEL_PERMISSIONS = (
    "view_channel",
    "send_messages",
    "embed_links",
    "read_message_history",
    "create_public_threads",
    "send_messages_in_threads",
)


def require_manage_guild(interaction: discord.Interaction) -> discord.Guild:
    if interaction.guild is None:
        raise InvalidInputError("Use this command in a server.")
    permissions = interaction.permissions
    if not (permissions.manage_guild or permissions.administrator):
        raise PermissionDeniedError("You need the Manage Server permission for this.")
    return interaction.guild


def missing_channel_permissions(channel: discord.abc.GuildChannel, me: discord.Member) -> list[str]:
    allowed = channel.permissions_for(me)
    return [name.replace("_", " ") for name in CHANNEL_PERMISSIONS if not getattr(allowed, name)]


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class StudybotCog(
    commands.GroupCog, group_name="studybot", group_description="studybot for this server"
):
    def __init__(
        self,
        version: str,
        setup: SetupService,
        daily: DailyService,
        publisher: Publisher,
        on_config_changed: ConfigListener,
        reports: ReportService,
        usage: UsageService,
    ) -> None:
        self.version = version
        self.setup_service = setup
        self.daily = daily
        self.publisher = publisher
        self.on_config_changed = on_config_changed
        self.reports = reports
        self.usage = usage
        super().__init__()

    @app_commands.command(name="about", description="What studybot is and which version runs")
    async def about(self, interaction: discord.Interaction) -> None:
        embed = discord.Embed(
            title="studybot",
            description=(
                "A study group for ML/AI engineer interviews: daily questions, "
                "mock interviews and progress tracking."
            ),
            colour=render.COLOUR,
        )
        embed.add_field(name="Version", value=self.version)
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(
        name="setup", description="Choose where and when the daily question is posted"
    )
    @app_commands.describe(
        channel="Channel for questions and reveals",
        time="Post time, 24-hour HH:MM in your time zone",
        timezone="IANA time zone, e.g. Europe/London",
        days="Days to post: daily, weekdays, or a list like mon,wed,fri",
        reveal="Reveal time (HH:MM, same day) or answer window (e.g. 12h, 90m)",
        rounds="Rounds to ask from: all, or a list like coding,ml-fundamentals",
        tracks="Specialization tracks: all, or a list like nlp,cv",
        cohort_start="Day 1 of the 4-week plan, YYYY-MM-DD (default today)",
        role="Role to mention with each question (the only mention the bot makes)",
        discussion_threads="Open a discussion thread under each reveal",
    )
    async def setup(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: app_commands.Range[str, 3, 5],
        timezone: app_commands.Range[str, 1, 64],
        days: app_commands.Range[str, 1, 40] = "daily",
        reveal: app_commands.Range[str, 1, 10] = "12h",
        rounds: app_commands.Range[str, 1, 200] = "all",
        tracks: app_commands.Range[str, 1, 60] = "all",
        cohort_start: app_commands.Range[str, 8, 10] | None = None,
        role: discord.Role | None = None,
        discussion_threads: bool = True,
    ) -> None:
        guild = require_manage_guild(interaction)
        missing = missing_channel_permissions(channel, guild.me)
        if missing:
            raise InvalidInputError(
                f"I am missing these permissions in {channel.mention}: {', '.join(missing)}."
            )
        config = await self.setup_service.configure(
            SetupRequest(
                guild_id=guild.id,
                guild_name=guild.name,
                channel_id=channel.id,
                post_time=time,
                timezone=timezone,
                days=days,
                reveal=reveal,
                rounds=rounds,
                tracks=tracks,
                cohort_start=cohort_start,
                mention_role_id=role.id if role else None,
                discussion_threads=discussion_threads,
            )
        )
        await self.on_config_changed(config)
        await interaction.response.send_message(
            "Saved. The daily question will follow these settings:",
            embed=render.config_embed(config),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @setup.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=zone, value=zone) for zone in search_timezones(current)]

    @app_commands.command(name="config", description="Show this server's studybot settings")
    async def config(self, interaction: discord.Interaction) -> None:
        guild = require_manage_guild(interaction)
        config = await self.setup_service.get(guild.id)
        await interaction.response.send_message(
            embed=render.config_embed(config), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="pause", description="Stop posting daily questions until resumed")
    async def pause(self, interaction: discord.Interaction) -> None:
        await self._set_paused(interaction, paused=True)

    @app_commands.command(name="resume", description="Resume posting daily questions")
    async def resume(self, interaction: discord.Interaction) -> None:
        await self._set_paused(interaction, paused=False)

    async def _set_paused(self, interaction: discord.Interaction, *, paused: bool) -> None:
        guild = require_manage_guild(interaction)
        config = await self.setup_service.set_paused(guild.id, paused)
        await self.on_config_changed(config)
        state = "Paused: no questions until `/studybot resume`." if paused else "Resumed."
        await interaction.response.send_message(state, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="post-now", description="Post today's question now")
    async def post_now(self, interaction: discord.Interaction) -> None:
        guild = require_manage_guild(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        posting = await self.daily.post_now(guild.id, self.publisher)
        await interaction.followup.send(
            f"Posted in <#{posting.channel_id}>.", ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="reports", description="Questions members reported or mostly missed")
    async def reports_list(self, interaction: discord.Interaction) -> None:
        guild = require_manage_guild(interaction)
        summaries = await self.reports.open_reports(guild.id)
        await interaction.response.send_message(
            embed=render.reports_embed(summaries), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="regrade", description="Override a member's credit on a question")
    @app_commands.describe(
        member="Whose answer to regrade",
        posting="The question's number (shown as 'posting N' under it)",
        credit="New credit from 0 to 1, e.g. 1 for full, 0.5 for half",
    )
    async def regrade(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        posting: app_commands.Range[int, 1],
        credit: app_commands.Range[float, 0.0, 1.0],
    ) -> None:
        guild = require_manage_guild(interaction)
        await self.reports.regrade(guild.id, posting, member.id, credit)
        await interaction.response.send_message(
            f"Regraded {render.safe(member.display_name, 40)} on #{posting} to {credit:.0%}; "
            "points and streaks are recomputed.",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="usage", description="LLM tokens this server used, by purpose")
    async def usage_report(self, interaction: discord.Interaction) -> None:
        guild = require_manage_guild(interaction)
        report = await self.usage.report(guild.id)
        await interaction.response.send_message(
            embed=render.usage_embed(report), ephemeral=True, allowed_mentions=NO_MENTIONS
        )
