"""Creating a mock's Discord thread, and archiving it once the debrief is posted."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.discord_ui.errors import NO_MENTIONS

log = logging.getLogger("bot.discord_ui.cogs.mock")  # the package's logger, as before the split


async def open_thread(
    parent: discord.TextChannel, name: str, user_id: int, private: bool
) -> discord.Thread:
    """A private thread where allowed, else a public one; the candidate is added."""
    thread: discord.Thread | None = None
    if private:
        try:
            thread = await parent.create_thread(
                name=name,
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=1440,
            )
        except discord.HTTPException:
            log.info("Private threads are not available in %s; using a public one", parent.id)
    if thread is None:
        thread = await parent.create_thread(
            name=name, type=discord.ChannelType.public_thread, auto_archive_duration=1440
        )
    await thread.add_user(discord.Object(user_id))
    return thread


async def post_and_archive(bot: commands.Bot, thread_id: int, embed: discord.Embed) -> None:
    """Post the debrief ``embed`` in the thread, then archive the thread if possible."""
    channel = bot.get_partial_messageable(thread_id)
    await channel.send(embed=embed, allowed_mentions=NO_MENTIONS)
    try:
        thread = bot.get_channel(thread_id) or await bot.fetch_channel(thread_id)
        if isinstance(thread, discord.Thread):
            await thread.edit(archived=True)
    except discord.HTTPException:
        log.warning("Could not archive mock thread %s", thread_id)
