"""Message storage shared by channel routes, interaction callbacks and webhooks."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.discord_payloads import (
    attachment_payload,
    iso_now,
    message_payload,
    user_payload,
)
from tests.fakes.discord_state import FakeState, RecordedFile


class HttpError(Exception):
    """An error answer: status plus Discord's JSON error body."""

    def __init__(self, status: int, code: int, message: str, **extra: Any) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code, **extra}


def unknown(kind: str, code: int) -> HttpError:
    return HttpError(404, code, f"Unknown {kind}")


@dataclass
class ApiRequest:
    """A parsed REST request handed to a route handler."""

    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    files: list[RecordedFile] = field(default_factory=list)

    def int_param(self, name: str) -> int:
        return int(self.params[name])


class MessageStoreMixin(FakeState):
    def bot_user(self) -> dict[str, Any]:
        return user_payload(self.bot_user_id, "studybot", bot=True)

    def require_channel(self, channel_id: int) -> dict[str, Any]:
        channel = self.channel(channel_id)
        if channel is None:
            raise unknown("Channel", 10003)
        return channel

    def require_message(self, message_id: int, channel_id: int | None = None) -> dict[str, Any]:
        message = self.messages.get(message_id)
        if message is None or (channel_id is not None and int(message["channel_id"]) != channel_id):
            raise unknown("Message", 10008)
        return message

    def store_message(self, message: dict[str, Any]) -> dict[str, Any]:
        channel_id = int(message["channel_id"])
        self.messages[int(message["id"])] = message
        channel = self.channel(channel_id)
        if channel is not None:
            channel["last_message_id"] = message["id"]
            if channel_id in self.threads:
                channel["message_count"] = channel.get("message_count", 0) + 1
                channel["total_message_sent"] = channel.get("total_message_sent", 0) + 1
        return message

    def new_bot_message(
        self, channel_id: int, body: dict[str, Any], files: list[RecordedFile], **extra: Any
    ) -> dict[str, Any]:
        """Build (not store) a bot-authored message from a create body."""
        guild = self.guild_of_channel(channel_id)
        message = message_payload(
            channel_id=channel_id,
            guild_id=guild.id if guild else None,
            author=self.bot_user(),
            flags=int(body.get("flags") or 0),
        )
        if guild is not None:
            message["member"] = self.bot_member(guild).member_payload(with_user=False)
        message.update(extra)
        apply_message_body(message, body, files, editing=False)
        return message


def apply_message_body(
    message: dict[str, Any], body: dict[str, Any], files: list[RecordedFile], *, editing: bool
) -> None:
    """Apply a create/edit body's content, embeds, components and attachments to ``message``."""
    for key in ("content", "components", "tts", "poll"):
        if key in body:
            message[key] = body[key] if body[key] is not None else _EMPTY[key]
    if "embeds" in body:
        message["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
    if body.get("message_reference"):
        message["message_reference"] = body["message_reference"]
        message["type"] = 19
    if editing:
        message["edited_timestamp"] = iso_now()
        if "flags" in body and body["flags"] is not None:
            message["flags"] = int(body["flags"])
    if "attachments" in body or files:
        message["attachments"] = _attachments(message, body.get("attachments"), files)


_EMPTY: dict[str, Any] = {"content": "", "components": [], "tts": False, "poll": None}


def _attachments(
    message: dict[str, Any], wanted: list[dict[str, Any]] | None, files: list[RecordedFile]
) -> list[dict[str, Any]]:
    existing = {a["id"]: a for a in message.get("attachments", [])}
    channel_id = int(message["channel_id"])
    if wanted is None:  # files without an attachments list: all files, existing kept
        wanted = [{"id": i, "filename": f.filename} for i, f in enumerate(files)]
        result = list(existing.values())
    else:
        result = []
    for item in wanted:
        ref = str(item.get("id"))
        if ref in existing:
            result.append(existing[ref])
        elif ref.isdigit() and int(ref) < len(files):
            upload = files[int(ref)]
            attachment = attachment_payload(
                filename=item.get("filename") or upload.filename,
                size=len(upload.content),
                content_type=mimetypes.guess_type(upload.filename)[0] or upload.content_type,
                channel_id=channel_id,
            )
            if item.get("description"):
                attachment["description"] = item["description"]
            result.append(attachment)
    return result
