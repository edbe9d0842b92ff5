"""The mock interview's buttons (Hint, End, Retry) and its debrief embed.

Buttons are :class:`discord.ui.DynamicItem` templates over the ids in
:mod:`bot.discord_ui.ids_mock`, so a button posted before a restart still
works after it. What a press does lives in the :class:`MockButtons` handler
(the mock cog's runner); every failure goes through ``report_error``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Any, Protocol

import discord

from bot.discord_ui import ids_mock, render
from bot.discord_ui.errors import report_error
from bot.discord_ui.ids_mock import MockKind
from bot.discord_ui.render import static_view
from bot.domain.debrief import Debrief, Dimension
from bot.domain.taxonomy import Taxonomy

Button = discord.ui.Button[discord.ui.View]
DynamicButton = type[discord.ui.DynamicItem[Button]]

_LABELS = {
    Dimension.CORRECTNESS: "Correctness",
    Dimension.DEPTH: "Depth",
    Dimension.COMMUNICATION: "Communication",
    Dimension.STRUCTURE: "Structure",
    Dimension.STAR: "STAR completeness",
}


class MockButtons(Protocol):
    async def press_hint(self, interaction: discord.Interaction, interview_id: int) -> None: ...
    async def press_end(self, interaction: discord.Interaction, interview_id: int) -> None: ...
    async def press_retry(self, interaction: discord.Interaction, interview_id: int) -> None: ...


def _button(kind: MockKind, interview_id: int) -> Button:
    styles = {
        MockKind.HINT: ("Hint", discord.ButtonStyle.secondary, "💡"),
        MockKind.END: ("End interview", discord.ButtonStyle.danger, None),
        MockKind.RETRY: ("Retry", discord.ButtonStyle.primary, "🔁"),
    }
    label, style, emoji = styles[kind]
    return discord.ui.Button(
        label=label, style=style, emoji=emoji, custom_id=ids_mock.encode(kind, interview_id)
    )


def controls_view(interview_id: int) -> discord.ui.View:
    """Hint and End, for the message that opens the thread."""
    view = static_view()
    view.add_item(_button(MockKind.HINT, interview_id))
    view.add_item(_button(MockKind.END, interview_id))
    return view


def retry_view(interview_id: int) -> discord.ui.View:
    view = static_view()
    view.add_item(_button(MockKind.RETRY, interview_id))
    return view


def mock_items(handler: MockButtons) -> tuple[DynamicButton, ...]:
    """DynamicItem classes bound to ``handler``, for ``Client.add_dynamic_items``."""

    def item_class(kind: MockKind) -> DynamicButton:
        action = {
            MockKind.HINT: handler.press_hint,
            MockKind.END: handler.press_end,
            MockKind.RETRY: handler.press_retry,
        }[kind]

        class MockButton(discord.ui.DynamicItem[Button], template=ids_mock.template(kind)):
            def __init__(self, interview_id: int) -> None:
                super().__init__(_button(kind, interview_id))
                self.interview_id = interview_id

            @classmethod
            async def from_custom_id(
                cls,
                interaction: discord.Interaction,
                item: discord.ui.Item[Any],
                match: re.Match[str],
            ) -> MockButton:
                return cls(int(match["interview"]))

            async def callback(self, interaction: discord.Interaction) -> None:
                await _guarded(interaction, action(interaction, self.interview_id))

        MockButton.__name__ = MockButton.__qualname__ = f"Mock{kind.name.title()}Button"
        return MockButton

    return tuple(item_class(kind) for kind in MockKind)


async def _guarded(interaction: discord.Interaction, action: Awaitable[None]) -> None:
    try:
        await action
    except Exception as error:  # one reporting path for every failure
        await report_error(interaction, error)


def debrief_embed(debrief: Debrief, taxonomy: Taxonomy) -> discord.Embed:
    """The debrief as an embed, within Discord's limits (fields of at most 1,024 characters)."""
    title = taxonomy.round_name(debrief.round) + (
        f" · {debrief.track.value}" if debrief.track else ""
    )
    embed = discord.Embed(
        title=f"Debrief · {title}",
        description=f"Overall **{debrief.overall}/100**"
        + (" · built-in interviewer" if debrief.offline else ""),
        colour=render.COLOUR,
    )
    for score in debrief.dimensions:
        note = render.safe(score.note, 900) if score.note else "—"
        embed.add_field(name=f"{_LABELS[score.dimension]}: {score.score}/5", value=note)
    if debrief.hint_tiers:
        used = ", ".join(tier.name.lower() for tier in debrief.hint_tiers)
        embed.add_field(name="Hints", value=f"{used} (-{debrief.hint_penalty})", inline=False)
    for name, items in (("Strengths", debrief.strengths), ("To improve", debrief.improvements)):
        if items:
            value = "\n".join(f"• {render.safe(item, 300)}" for item in items)
            embed.add_field(name=name, value=value[:1024], inline=False)
    if debrief.recommended_topics:
        lines = []
        for topic_id in debrief.recommended_topics:
            topic = taxonomy.topic(topic_id)
            lines.append(f"• **{topic.name}**: {topic.study}" if topic else f"• {topic_id}")
        embed.add_field(name="Study next", value="\n".join(lines)[:1024], inline=False)
    return embed
