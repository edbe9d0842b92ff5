"""The ``/mock`` slash commands, and :func:`mock_components` that builds the cog."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_ui.cogs.mock._runner import MockRunner
from bot.discord_ui.errors import NO_MENTIONS
from bot.discord_ui.mock_views import DynamicButton, mock_items
from bot.discord_ui.streaming import EditBudget
from bot.domain.errors import InvalidInputError
from bot.domain.questions import Round, Track
from bot.domain.taxonomy import Taxonomy
from bot.services.mock import MockService

log = logging.getLogger("bot.discord_ui.cogs.mock")  # the package's logger, as before the split

ROUNDS = [app_commands.Choice(name=r.value, value=r.value) for r in Round]
TRACKS = [app_commands.Choice(name=t.value, value=t.value) for t in Track]
MODES = [
    app_commands.Choice(name="real (feedback at the end)", value="real"),
    app_commands.Choice(name="practice (feedback after each answer)", value="practice"),
]


@app_commands.guild_only()
class MockCog(commands.GroupCog, group_name="mock", group_description="Mock interviews"):
    def __init__(
        self,
        bot: commands.Bot,
        runner: MockRunner,
        service: MockService,
        items: tuple[DynamicButton, ...],
    ) -> None:
        self.bot = bot
        self.runner = runner
        self.service = service
        self._items = items
        super().__init__()

    async def cog_load(self) -> None:
        """The Hint/End/Retry buttons come and go with the cog, as other cogs' buttons do."""
        self.bot.add_dynamic_items(*self._items)

    @app_commands.command(name="start", description="Start a mock interview in a private thread")
    @app_commands.describe(
        round="Which interview round to practise",
        track="Specialization track (only for the specialization round)",
        minutes="Length in minutes, 10 to 60",
        mode="real: feedback at the end; practice: after each answer",
    )
    @app_commands.choices(round=ROUNDS, track=TRACKS, mode=MODES)
    async def start(
        self,
        interaction: discord.Interaction,
        round: str,
        track: str | None = None,
        minutes: app_commands.Range[int, 10, 60] = 30,
        mode: str = "real",
    ) -> None:
        await self.runner.begin(interaction, round, track, minutes, mode)

    @app_commands.command(name="end", description="End your mock now and get the debrief")
    async def end(self, interaction: discord.Interaction) -> None:
        guild_id = interaction.guild_id or 0
        session = await self.service.active_for(guild_id, interaction.user.id)
        if session is None:
            raise InvalidInputError("You have no mock running. Start one with `/mock start`.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.runner.end(session.id)
        await interaction.followup.send(
            "Ended. Your debrief is in the thread.", ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        try:
            await self.runner.on_message(message)
        except Exception:  # a reply that could not be sent must not end the listener
            log.exception("Handling a message in %s failed", message.channel.id)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*self._items)
        await self.runner.close()


def mock_components(
    bot: commands.Bot,
    *,
    mock_service: MockService,
    taxonomy: Taxonomy,
    budget: EditBudget | None = None,
    debounce_s: float = 1.5,
    edit_interval_s: float = 1.0,
) -> tuple[MockCog, tuple[DynamicButton, ...]]:
    """The /mock cog (its ``runner`` has ``tick_all``) and the button classes to register."""
    runner = MockRunner(
        bot,
        mock_service,
        taxonomy,
        budget=budget,
        debounce_s=debounce_s,
        edit_interval_s=edit_interval_s,
    )
    items = mock_items(runner)
    return MockCog(bot, runner, mock_service, items), items
