"""The daily question's buttons and modal, answered after restarts too.

Buttons are :class:`discord.ui.DynamicItem` templates over ``custom_id``s, so a
click on a question posted by an earlier process still lands here. Modals
cannot be dynamic items, so submissions are picked up by ``on_interaction``
from their ``custom_id`` instead of from discord.py's in-memory modal store:
a modal opened before a restart and submitted after it is not lost.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.discord_ui import ids, render
from bot.discord_ui.errors import NO_MENTIONS, report_error
from bot.domain.errors import InvalidInputError
from bot.domain.grading import ANSWER_MAX_CHARS
from bot.domain.models import Confidence, SubmitOutcome
from bot.services.answers import AnswerService
from bot.services.reports import ReportService

Button = discord.ui.Button[discord.ui.View]
DynamicButton = type[discord.ui.DynamicItem[Button]]

RECORDED = "Your answer is recorded. You can change it until the reveal. How sure were you?"
UNCHANGED = "That answer was already recorded."


class DailyHandler:
    """What each daily component does; one instance per bot, holding its services."""

    def __init__(self, answers: AnswerService, reports: ReportService) -> None:
        self._answers = answers
        self._reports = reports

    async def choose(self, interaction: discord.Interaction, posting_id: int, option: int) -> None:
        receipt = await self._answers.submit_choice(
            posting_id, interaction.user.id, render.member_name(interaction), option
        )
        text = UNCHANGED if receipt.outcome is SubmitOutcome.UNCHANGED else RECORDED
        await interaction.response.send_message(
            f"{text}\nYou chose **{render.LETTERS[option]}**.",
            ephemeral=True,
            view=render.confidence_view(posting_id),
            allowed_mentions=NO_MENTIONS,
        )

    async def open_modal(self, interaction: discord.Interaction, posting_id: int) -> None:
        question = await self._answers.question_for(posting_id)
        await interaction.response.send_modal(AnswerModal(posting_id, question.id))

    async def submit_text(
        self, interaction: discord.Interaction, posting_id: int, text: str
    ) -> None:
        receipt = await self._answers.submit_text(
            posting_id, interaction.user.id, render.member_name(interaction), text
        )
        message = UNCHANGED if receipt.outcome is SubmitOutcome.UNCHANGED else RECORDED
        await interaction.response.send_message(
            message,
            ephemeral=True,
            view=render.confidence_view(posting_id),
            allowed_mentions=NO_MENTIONS,
        )

    async def set_confidence(
        self, interaction: discord.Interaction, posting_id: int, level: str
    ) -> None:
        await self._answers.set_confidence(posting_id, interaction.user.id, Confidence(level))
        await interaction.response.edit_message(
            content=f"Recorded, and noted that you were **{level}**. Results come with the reveal.",
            view=None,
            allowed_mentions=NO_MENTIONS,
        )

    async def my_result(self, interaction: discord.Interaction, posting_id: int) -> None:
        result = await self._answers.my_result(posting_id, interaction.user.id)
        await interaction.response.send_message(
            embed=render.my_result_embed(result), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    async def open_report(self, interaction: discord.Interaction, posting_id: int) -> None:
        await interaction.response.send_modal(ReportModal(posting_id))

    async def submit_report(
        self, interaction: discord.Interaction, posting_id: int, reason: str
    ) -> None:
        if interaction.guild_id is None:
            raise InvalidInputError("Reports are made in the server.")
        await self._reports.report(interaction.guild_id, posting_id, interaction.user.id, reason)
        await interaction.response.send_message(
            "Thanks: an admin will look at this question.",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Modal submissions of ours, found by custom_id (survives restarts)."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: Any = interaction.data or {}
        parsed = ids.decode(str(data.get("custom_id", "")))
        if parsed is None or parsed.kind not in {ids.Kind.ANSWER_MODAL, ids.Kind.REPORT_MODAL}:
            return
        field = "answer" if parsed.kind is ids.Kind.ANSWER_MODAL else "reason"
        try:
            text = modal_value(data, field)
            if not text:
                raise InvalidInputError("That was empty. Write a few words and try again.")
            if parsed.kind is ids.Kind.ANSWER_MODAL:
                await self.submit_text(interaction, parsed.posting_id, text)
            else:
                await self.submit_report(interaction, parsed.posting_id, text)
        except Exception as error:  # one reporting path for every failure
            await report_error(interaction, error)


def modal_value(data: Any, field: str) -> str | None:
    """A text input's value from a modal submission (action-row or label layout)."""
    for row in data.get("components", []):
        children = row.get("components") or ([row["component"]] if "component" in row else [])
        for child in children:
            if child.get("custom_id") == field:
                return str(child.get("value") or "")
    return None


class AnswerModal(discord.ui.Modal):
    """The free-text answer form; its submission is handled by DailyHandler."""

    answer: discord.ui.TextInput[discord.ui.Modal] = discord.ui.TextInput(
        label="Your answer",
        style=discord.TextStyle.paragraph,
        custom_id="answer",
        min_length=1,
        max_length=ANSWER_MAX_CHARS,
        placeholder="Explain your reasoning; it is graded against a rubric.",
    )

    def __init__(self, posting_id: int, question_id: str) -> None:
        super().__init__(
            title=f"Answer {question_id}", timeout=None, custom_id=ids.answer_modal(posting_id)
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Handled in DailyHandler.on_interaction, which also works after a restart."""


class ReportModal(discord.ui.Modal):
    """Why a question's key or grade looks wrong; handled in DailyHandler.on_interaction."""

    reason: discord.ui.TextInput[discord.ui.Modal] = discord.ui.TextInput(
        label="What looks wrong?",
        style=discord.TextStyle.paragraph,
        custom_id="reason",
        min_length=1,
        max_length=500,
        placeholder="The key says B, but C is right because ...",
    )

    def __init__(self, posting_id: int) -> None:
        super().__init__(
            title="Report a problem", timeout=None, custom_id=ids.report_modal(posting_id)
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Handled in DailyHandler.on_interaction, which also works after a restart."""


def daily_items(handler: DailyHandler) -> tuple[DynamicButton, ...]:
    """DynamicItem classes bound to ``handler``, for ``Client.add_dynamic_items``."""

    class ChoiceButton(
        discord.ui.DynamicItem[Button], template=ids.template(ids.Kind.CHOICE, r"[0-4]")
    ):
        def __init__(self, posting_id: int, option: int) -> None:
            super().__init__(discord.ui.Button(custom_id=ids.choice(posting_id, option)))
            self.posting_id, self.option = posting_id, option

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
        ) -> ChoiceButton:
            return cls(int(match["posting"]), int(match["arg"]))

        async def callback(self, interaction: discord.Interaction) -> None:
            await _guarded(interaction, handler.choose(interaction, self.posting_id, self.option))

    class OpenAnswerButton(discord.ui.DynamicItem[Button], template=ids.template(ids.Kind.OPEN)):
        def __init__(self, posting_id: int) -> None:
            super().__init__(discord.ui.Button(custom_id=ids.open_answer(posting_id)))
            self.posting_id = posting_id

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
        ) -> OpenAnswerButton:
            return cls(int(match["posting"]))

        async def callback(self, interaction: discord.Interaction) -> None:
            await _guarded(interaction, handler.open_modal(interaction, self.posting_id))

    class ConfidenceButton(
        discord.ui.DynamicItem[Button],
        template=ids.template(ids.Kind.CONFIDENCE, "sure|unsure|guess"),
    ):
        def __init__(self, posting_id: int, level: str) -> None:
            super().__init__(discord.ui.Button(custom_id=ids.confidence(posting_id, level)))
            self.posting_id, self.level = posting_id, level

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
        ) -> ConfidenceButton:
            return cls(int(match["posting"]), match["arg"])

        async def callback(self, interaction: discord.Interaction) -> None:
            await _guarded(
                interaction, handler.set_confidence(interaction, self.posting_id, self.level)
            )

    class MyResultButton(discord.ui.DynamicItem[Button], template=ids.template(ids.Kind.MY_RESULT)):
        def __init__(self, posting_id: int) -> None:
            super().__init__(discord.ui.Button(custom_id=ids.my_result(posting_id)))
            self.posting_id = posting_id

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
        ) -> MyResultButton:
            return cls(int(match["posting"]))

        async def callback(self, interaction: discord.Interaction) -> None:
            await _guarded(interaction, handler.my_result(interaction, self.posting_id))

    class ReportButton(discord.ui.DynamicItem[Button], template=ids.template(ids.Kind.REPORT)):
        def __init__(self, posting_id: int) -> None:
            super().__init__(discord.ui.Button(custom_id=ids.report(posting_id)))
            self.posting_id = posting_id

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
        ) -> ReportButton:
            return cls(int(match["posting"]))

        async def callback(self, interaction: discord.Interaction) -> None:
            await _guarded(interaction, handler.open_report(interaction, self.posting_id))

    return (ChoiceButton, OpenAnswerButton, ConfidenceButton, MyResultButton, ReportButton)


async def _guarded(interaction: discord.Interaction, action: Any) -> None:
    try:
        await action
    except Exception as error:  # one reporting path for every failure
        await report_error(interaction, error)
