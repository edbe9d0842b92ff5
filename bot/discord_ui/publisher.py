"""Publishing questions and reveals in a server's channel (the Publisher port)."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Literal

import discord

from bot.charts.progress import recap_chart
from bot.discord_ui import ids, render
from bot.discord_ui.errors import NO_MENTIONS
from bot.discord_ui.progress_render import recap_embed
from bot.domain.bank import QuestionBank
from bot.domain.errors import InvalidInputError
from bot.domain.models import GuildConfig, Posting
from bot.domain.ports import RevealSummary
from bot.domain.questions import Question
from bot.services.recap import Recap

log = logging.getLogger(__name__)

HISTORY_LOOKBACK = 100
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440


class DiscordPublisher:
    def __init__(self, client: discord.Client, bank: QuestionBank) -> None:
        self._client = client
        self._bank = bank

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self._client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self._client.fetch_channel(channel_id)
            except discord.HTTPException:
                raise InvalidInputError("I cannot see the study channel any more.") from None
        if not isinstance(channel, discord.abc.Messageable):
            raise InvalidInputError("The study channel is not a text channel.")
        return channel

    async def post_question(self, guild: GuildConfig, posting: Posting, question: Question) -> int:
        channel = await self._channel(posting.channel_id)
        content, mentions = None, NO_MENTIONS
        if guild.mention_role_id is not None:
            # The one deliberate mention: the role the server chose, nothing else.
            content = f"<@&{guild.mention_role_id}>"
            mentions = discord.AllowedMentions(
                everyone=False, users=False, roles=[discord.Object(id=guild.mention_role_id)]
            )
        message = await channel.send(
            content=content,
            embed=render.question_embed(posting, question, self._bank.taxonomy),
            view=render.question_view(posting, question),
            allowed_mentions=mentions,
        )
        return message.id

    async def find_question(self, posting: Posting) -> int | None:
        """A message of ours carrying this posting's buttons, sent before a crash."""
        channel = await self._channel(posting.channel_id)
        if not isinstance(channel, discord.abc.Messageable) or self._client.user is None:
            return None
        wanted = {ids.open_answer(posting.id), ids.choice(posting.id, 0)}
        async for message in channel.history(limit=HISTORY_LOOKBACK):
            if message.author.id != self._client.user.id:
                continue
            custom_ids = {
                child.custom_id
                for row in message.components
                if isinstance(row, discord.ActionRow)
                for child in row.children
                if isinstance(child, discord.Button)
            }
            if custom_ids & wanted:
                return message.id
        return None

    async def post_reveal(
        self, guild: GuildConfig, summary: RevealSummary
    ) -> tuple[int, int | None]:
        posting = summary.posting
        channel = await self._channel(posting.channel_id)
        if posting.message_id is not None and isinstance(
            channel, discord.TextChannel | discord.Thread
        ):
            try:
                await channel.get_partial_message(posting.message_id).edit(
                    view=render.question_view(posting, summary.question, disabled=True)
                )
            except discord.HTTPException:
                log.warning("Could not disable the buttons of posting %s", posting.id)
        message = await channel.send(
            embed=render.reveal_embed(summary, self._bank.taxonomy),
            view=render.reveal_view(posting.id),
            allowed_mentions=NO_MENTIONS,
        )
        thread_id = None
        if guild.discussion_threads and isinstance(channel, discord.TextChannel):
            try:
                thread = await message.create_thread(
                    name=f"Discuss {summary.question.id}",
                    auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                )
                thread_id = thread.id
            except discord.HTTPException:
                log.warning("Could not open a discussion thread for posting %s", posting.id)
        return message.id, thread_id

    async def post_recap(self, guild: GuildConfig, recap: Recap) -> None:
        """The weekly recap with its accuracy-trend chart, rendered off the event loop."""
        if guild.channel_id is None:
            return
        channel = await self._channel(guild.channel_id)
        image = await asyncio.to_thread(recap_chart, recap)
        embed = recap_embed(recap)
        embed.set_image(url="attachment://recap.png")
        await channel.send(
            embed=embed,
            file=discord.File(io.BytesIO(image), filename="recap.png"),
            allowed_mentions=NO_MENTIONS,
        )
