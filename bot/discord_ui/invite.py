"""The invite link with exactly the permissions studybot uses, and why each."""

from __future__ import annotations

import base64
import binascii

import discord
from pydantic import SecretStr

REQUIRED_PERMISSIONS = discord.Permissions(
    view_channel=True,  # see the study channel
    send_messages=True,  # post questions and reveals
    send_messages_in_threads=True,  # interviews and discussion threads
    create_public_threads=True,  # discussion under a reveal; mock threads where private fail
    create_private_threads=True,  # private mock interview threads
    manage_threads=True,  # archive a finished interview thread, add the candidate
    embed_links=True,  # questions, reveals and progress are embeds
    attach_files=True,  # progress and leaderboard charts
    read_message_history=True,  # find a post after a crash instead of posting twice
    mention_everyone=False,
)


def client_id_from_token(token: str) -> int:
    """A bot token's first segment is its user id (= application id), base64-encoded."""
    first = token.split(".", 1)[0]
    try:
        return int(base64.b64decode(first + "=" * (-len(first) % 4)).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError("DISCORD_TOKEN does not look like a bot token; pass --client-id") from None


def invite_url(client_id: int | None, token: SecretStr | None) -> str:
    if client_id is None:
        if token is None:
            raise ValueError("Pass --client-id (the application id) or set DISCORD_TOKEN.")
        client_id = client_id_from_token(token.get_secret_value())
    return discord.utils.oauth_url(
        client_id,
        permissions=REQUIRED_PERMISSIONS,
        scopes=("bot", "applications.commands"),
    )
