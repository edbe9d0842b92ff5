"""``/review``: the member's due cards, privately, one at a time.

Choice questions are answered with buttons, open ones in a modal. The modal's
submission is picked up by its ``custom_id`` in a listener (modals cannot be
dynamic items), so one opened before a restart still lands.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_ui import ids_progress as pids
from bot.discord_ui import progress_render
from bot.discord_ui.cogs.progress import DynamicButton, dynamic_button, guild_id_of
from bot.discord_ui.daily_components import modal_value
from bot.discord_ui.errors import NO_MENTIONS, report_error
from bot.domain.errors import InvalidInputError
from bot.domain.grading import ANSWER_MAX_CHARS
from bot.services.review import ReviewResult, ReviewService

NOTHING_DUE = "Nothing to review right now. Answer daily questions and cards will come due."


class ReviewModal(discord.ui.Modal):
    """The free-text review answer; handled in ReviewCog.on_interaction."""

    answer: discord.ui.TextInput[discord.ui.Modal] = discord.ui.TextInput(
        label="Your answer",
        style=discord.TextStyle.paragraph,
        custom_id="answer",
        min_length=1,
        max_length=ANSWER_MAX_CHARS,
    )

    def __init__(self, question_id: str) -> None:
        super().__init__(
            title=f"Review {question_id}", timeout=None, custom_id=pids.review_modal(question_id)
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Handled in ReviewCog.on_interaction, which also works after a restart."""


@app_commands.guild_only()
class ReviewCog(commands.Cog):
    def __init__(self, bot: commands.Bot, review: ReviewService) -> None:
        self.bot = bot
        self.review = review
        self._items: tuple[DynamicButton, ...] = (
            dynamic_button(pids.ProgressKind.REVIEW_CHOICE, self.choose),
            dynamic_button(pids.ProgressKind.REVIEW_OPEN, self.open_modal),
            dynamic_button(pids.ProgressKind.REVIEW_NEXT, self.next_card),
        )

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*self._items)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*self._items)

    @app_commands.command(name="review", description="Review your due cards (spaced repetition)")
    async def start(self, interaction: discord.Interaction) -> None:
        # The first /review catches a member's cards up with past reveals: defer first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        item = await self.review.next_card(guild_id_of(interaction), interaction.user.id)
        if item is None:
            await interaction.followup.send(
                NOTHING_DUE, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        await interaction.followup.send(
            embed=progress_render.review_embed(item),
            view=progress_render.review_view(item.question),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    async def choose(self, interaction: discord.Interaction, parsed: pids.ProgressId) -> None:
        result = await self.review.answer_choice(
            guild_id_of(interaction), interaction.user.id, parsed.arg, parsed.number
        )
        await self._show_result(interaction, result, edit=True)

    async def open_modal(self, interaction: discord.Interaction, parsed: pids.ProgressId) -> None:
        await interaction.response.send_modal(ReviewModal(parsed.arg))

    async def next_card(self, interaction: discord.Interaction, parsed: pids.ProgressId) -> None:
        item = await self.review.next_card(guild_id_of(interaction), interaction.user.id)
        if item is None:
            await interaction.response.edit_message(
                content=NOTHING_DUE, embed=None, view=None, allowed_mentions=NO_MENTIONS
            )
            return
        await interaction.response.edit_message(
            embed=progress_render.review_embed(item),
            view=progress_render.review_view(item.question),
            allowed_mentions=NO_MENTIONS,
        )

    async def _show_result(
        self, interaction: discord.Interaction, result: ReviewResult, *, edit: bool
    ) -> None:
        embed = progress_render.review_result_embed(result)
        view = progress_render.next_view(result.remaining)
        if edit:
            await interaction.response.edit_message(
                embed=embed, view=view, allowed_mentions=NO_MENTIONS
            )
        else:
            await interaction.response.send_message(
                embed=embed,
                view=view or discord.utils.MISSING,
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Review modal submissions, found by custom_id."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: Any = interaction.data or {}
        parsed = pids.decode(str(data.get("custom_id", "")))
        if parsed is None or parsed.kind is not pids.ProgressKind.REVIEW_MODAL:
            return
        try:
            text = modal_value(data, "answer")
            if not text:
                raise InvalidInputError("Your answer was empty. Write a few sentences.")
            result = await self.review.answer_open(
                guild_id_of(interaction), interaction.user.id, parsed.arg, text
            )
            await self._show_result(interaction, result, edit=False)
        except Exception as error:  # one reporting path for every failure
            await report_error(interaction, error)
