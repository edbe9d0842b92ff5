"""One way to tell a member something went wrong, for every interaction path.

A :class:`StudybotError` carries a message written for members and is shown as
is, privately. Anything else is a bug: it is logged with its traceback under a
short reference id and the member sees only an apology with that id, never the
exception text (which can leak internals).
"""

from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands

from bot.domain.errors import StudybotError

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


def unwrap(error: BaseException) -> BaseException:
    """The error a command raised, without discord.py's wrappers around it."""
    while isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        error = error.__cause__ or error
        if not isinstance(error, app_commands.CommandInvokeError):
            break
    return error


def message_for(error: BaseException) -> str:
    """What a member is told about ``error`` (and the bug is logged if it is one)."""
    error = unwrap(error)
    if isinstance(error, StudybotError):
        return error.user_message
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"You need the {needed} permission for this."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.CheckFailure):
        return "You cannot use this command here."
    reference = secrets.token_hex(4)
    log.error("Unhandled error (ref %s)", reference, exc_info=error)
    return f"Sorry, something went wrong on our side. (ref `{reference}`)"


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the member privately, whether or not the interaction was answered yet."""
    text = message_for(error)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(
                text, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
    except discord.HTTPException:
        log.warning("Could not report an error to the member (interaction expired?)")
