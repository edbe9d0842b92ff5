"""Payload builders and the in-memory world (guilds, members) of the fake Discord.

Every builder returns a dict shaped like Discord API v10 JSON, with every key discord.py 2.7
reads unconditionally (see /work/shared/notes/loopback-facts.md §1.3): a missing key there is a
KeyError inside a gateway parser, which ends ``Client.connect()``.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
_increment = itertools.count()

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
ALL_PERMISSIONS = (1 << 51) - 1
DEFAULT_EVERYONE_PERMISSIONS = (
    (1 << 0)  # CREATE_INSTANT_INVITE
    | (1 << 6)  # ADD_REACTIONS
    | (1 << 10)  # VIEW_CHANNEL
    | (1 << 11)  # SEND_MESSAGES
    | (1 << 14)  # EMBED_LINKS
    | (1 << 15)  # ATTACH_FILES
    | (1 << 16)  # READ_MESSAGE_HISTORY
    | (1 << 26)  # CHANGE_NICKNAME
    | (1 << 31)  # USE_APPLICATION_COMMANDS
    | (1 << 35)  # CREATE_PUBLIC_THREADS
    | (1 << 38)  # SEND_MESSAGES_IN_THREADS
)

EPHEMERAL = 1 << 6
LOADING = 1 << 7
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


def snowflake() -> int:
    """A fresh, unique snowflake carrying the current time (discord.py derives expiry from it)."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (1 << 17) | (next(_increment) & 0xFFF)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


def fake_token(user_id: int) -> str:
    """A token shaped like a real bot token: base64(user id).timestamp.hmac."""
    import base64

    head = base64.urlsafe_b64encode(str(user_id).encode()).decode().rstrip("=")
    return f"{head}.GfAkE0.{secrets.token_urlsafe(28)}"


def user_payload(user_id: int, username: str, *, bot: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(user_id),
        "username": username,
        "discriminator": "0",
        "global_name": None if bot else username.title(),
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
    }
    if bot:
        data["bot"] = True
    return data


def role_payload(role_id: int, name: str, permissions: int, position: int) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def text_channel_payload(
    channel_id: int, guild_id: int, name: str, position: int
) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "topic": None,
        "nsfw": False,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
        "flags": 0,
    }


def thread_payload(
    thread_id: int,
    *,
    guild_id: int,
    parent_id: int,
    owner_id: int,
    name: str,
    private: bool,
    auto_archive_duration: int,
    rate_limit_per_user: int = 0,
    invitable: bool = True,
) -> dict[str, Any]:
    now = iso_now()
    data: dict[str, Any] = {
        "id": str(thread_id),
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "type": 12 if private else 11,
        "last_message_id": None,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "rate_limit_per_user": rate_limit_per_user,
        "flags": 0,
        "applied_tags": [],
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": auto_archive_duration,
            "archive_timestamp": now,
            "locked": False,
            "create_timestamp": now,
        },
        "member": {
            "id": str(thread_id),
            "user_id": str(owner_id),
            "join_timestamp": now,
            "flags": 0,
        },
    }
    if private:
        data["thread_metadata"]["invitable"] = invitable
    return data


@dataclass(eq=False)
class FakeMember:
    """A guild member the tests act as. ``permissions`` is the computed guild-level bitfield."""

    guild: FakeGuild
    user_id: int
    username: str
    role_ids: list[int]
    bot: bool = False
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        return self.user_id

    @property
    def permissions(self) -> int:
        return self.guild.permissions_for(self.role_ids)

    def user_payload(self) -> dict[str, Any]:
        return user_payload(self.user_id, self.username, bot=self.bot)

    def member_payload(
        self, *, with_user: bool = True, with_permissions: bool = False
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "nick": None,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.role_ids],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user_payload()
        if with_permissions:
            data["permissions"] = str(self.permissions)
        return data


class FakeGuild:
    """A guild: channels and roles as Discord payloads, members as :class:`FakeMember`."""

    def __init__(self, *, name: str, owner_id: int) -> None:
        self.id = snowflake()
        self.name = name
        self.owner_id = owner_id
        self.channels: dict[int, dict[str, Any]] = {}
        self.roles: dict[int, dict[str, Any]] = {
            self.id: role_payload(self.id, "@everyone", DEFAULT_EVERYONE_PERMISSIONS, 0)
        }
        self.members: dict[int, FakeMember] = {}
        self.general_channel_id = self.add_text_channel("general")

    def add_text_channel(self, name: str) -> int:
        channel_id = snowflake()
        self.channels[channel_id] = text_channel_payload(
            channel_id, self.id, name, position=len(self.channels)
        )
        return channel_id

    def channel_id(self, name: str) -> int:
        """The id of the text channel called ``name`` (raises KeyError if there is none)."""
        for channel_id, channel in self.channels.items():
            if channel["name"] == name:
                return channel_id
        raise KeyError(name)

    def add_role(self, name: str, permissions: int) -> int:
        role_id = snowflake()
        self.roles[role_id] = role_payload(role_id, name, permissions, position=len(self.roles))
        return role_id

    def add_member(
        self,
        username: str,
        *,
        roles: Iterable[int] = (),
        permissions: int | None = None,
        bot: bool = False,
        user_id: int | None = None,
    ) -> FakeMember:
        """Add a member. ``permissions`` creates a role carrying exactly those bits for them."""
        role_ids = list(roles)
        if permissions is not None:
            role_ids.append(self.add_role(f"{username} role", permissions))
        member = FakeMember(
            guild=self,
            user_id=user_id if user_id is not None else snowflake(),
            username=username,
            role_ids=role_ids,
            bot=bot,
        )
        self.members[member.user_id] = member
        return member

    def permissions_for(self, role_ids: Iterable[int]) -> int:
        perms = int(self.roles[self.id]["permissions"])
        for role_id in role_ids:
            perms |= int(self.roles[role_id]["permissions"])
        if perms & ADMINISTRATOR:
            return ALL_PERMISSIONS
        return perms

    def payload(
        self, *, threads: Iterable[dict[str, Any]] = (), with_counts: bool = False
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": list(self.roles.values()),
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": str(self.general_channel_id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "max_members": 500000,
            "max_video_channel_users": 25,
        }
        if with_counts:
            data["approximate_member_count"] = len(self.members)
            data["approximate_presence_count"] = len(self.members)
        return data

    def create_payload(self, threads: Iterable[dict[str, Any]]) -> dict[str, Any]:
        """The full GUILD_CREATE payload."""
        data = self.payload()
        data.update(
            {
                "joined_at": iso_now(),
                "large": False,
                "unavailable": False,
                "member_count": len(self.members),
                "voice_states": [],
                "members": [m.member_payload() for m in self.members.values()],
                "channels": [{k: v for k, v in c.items()} for c in self.channels.values()],
                "threads": list(threads),
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
                "embedded_activities": [],
            }
        )
        return data


def attachment_payload(
    *, filename: str, size: int, content_type: str | None, channel_id: int
) -> dict[str, Any]:
    attachment_id = snowflake()
    url = f"https://cdn.discordapp.com/attachments/{channel_id}/{attachment_id}/{filename}"
    return {
        "id": str(attachment_id),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
        "content_type": content_type,
        "ephemeral": False,
    }


def message_payload(
    *,
    channel_id: int,
    guild_id: int | None,
    author: dict[str, Any],
    content: str = "",
    message_type: int = 0,
    flags: int = 0,
    member: dict[str, Any] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(snowflake()),
        "type": message_type,
        "channel_id": str(channel_id),
        "author": author,
        "content": content,
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "mention_channels": [],
        "attachments": [],
        "embeds": [],
        "components": [],
        "reactions": [],
        "pinned": False,
        "flags": flags,
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    if member is not None:
        data["member"] = member
    return data
