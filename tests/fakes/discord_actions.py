"""Acting as a guild member: slash commands, autocomplete, clicks, selects, modals, messages.

Each action builds a realistic INTERACTION_CREATE (or MESSAGE_CREATE), dispatches it over the
gateway and returns a handle the test awaits on.
"""

from __future__ import annotations

import asyncio
import copy
import secrets
from collections.abc import Iterator, Mapping
from typing import Any

from tests.fakes.discord_messages import MessageStoreMixin
from tests.fakes.discord_payloads import (
    ALL_PERMISSIONS,
    ATTACHMENT_SIZE_LIMIT,
    FakeMember,
    attachment_payload,
    message_payload,
    snowflake,
)
from tests.fakes.discord_state import FakeInteraction

SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)
_SELECT_TYPES = (3, 5, 6, 7, 8)


class ActionsMixin(MessageStoreMixin):
    async def run_slash(
        self,
        member: FakeMember,
        name: str,
        options: dict[str, object] | None = None,
        *,
        subcommand: str | None = None,
        group: str | None = None,
        channel_id: int | None = None,
    ) -> FakeInteraction:
        """Invoke a synced chat-input command; option types come from the synced definition."""
        data = self._command_data(member, name, options or {}, subcommand, group, None)
        return await self._interact(member, 2, data, channel_id=channel_id)

    async def autocomplete(
        self,
        member: FakeMember,
        name: str,
        options: dict[str, object],
        focused: str,
        *,
        subcommand: str | None = None,
        group: str | None = None,
        channel_id: int | None = None,
    ) -> FakeInteraction:
        """An autocomplete request (type 4) with ``focused`` marked; the bot answers type 8."""
        data = self._command_data(member, name, options, subcommand, group, focused)
        return await self._interact(member, 4, data, channel_id=channel_id)

    async def click(self, member: FakeMember, message_id: int, custom_id: str) -> FakeInteraction:
        """Press the button ``custom_id`` on a stored message."""
        message, component = self._component(message_id, custom_id)
        data = {"custom_id": custom_id, "component_type": component["type"]}
        return await self._interact(member, 3, data, message=message)

    async def select(
        self, member: FakeMember, message_id: int, custom_id: str, values: list[str]
    ) -> FakeInteraction:
        """Choose ``values`` in the select menu ``custom_id`` on a stored message."""
        message, component = self._component(message_id, custom_id)
        data: dict[str, Any] = {
            "custom_id": custom_id,
            "component_type": component["type"],
            "values": values,
        }
        return await self._interact(member, 3, data, message=message)

    async def submit_modal(
        self,
        member: FakeMember,
        modal_from: FakeInteraction,
        values: Mapping[str, str | list[str]],
    ) -> FakeInteraction:
        """Submit the modal the bot opened (type 9 callback) on ``modal_from``.

        The submission mirrors the modal's layout: action rows stay action rows, Label (type 18)
        components stay labels. Text inputs missing from ``values`` are submitted empty.
        """
        modal = next((r for r in modal_from.responses if r.get("type") == 9), None)
        if modal is None:
            raise AssertionError(
                f"{modal_from!r} was not answered with a modal: {modal_from.responses}"
            )
        remaining = dict(values)
        components = [_submitted(c, remaining) for c in modal["data"].get("components", [])]
        if remaining:
            raise AssertionError(f"modal has no inputs called {sorted(remaining)}")
        data = {"custom_id": modal["data"]["custom_id"], "components": components}
        message = modal_from.payload.get("message")
        return await self._interact(
            member,
            5,
            data,
            channel_id=int(modal_from.payload["channel_id"]),
            message=self.messages.get(int(message["id"]), message) if message else None,
        )

    async def post_message(
        self,
        member: FakeMember,
        channel_id: int,
        content: str,
        *,
        attachments: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Store a message by ``member`` and dispatch MESSAGE_CREATE (with guild_id, member)."""
        self.require_channel(channel_id)
        message = message_payload(
            channel_id=channel_id,
            guild_id=member.guild.id,
            author=member.user_payload(),
            content=content,
        )
        for item in attachments or []:
            filled = attachment_payload(
                filename=item.get("filename", "file.txt"),
                size=int(item.get("size", 0)),
                content_type=item.get("content_type"),
                channel_id=channel_id,
            )
            message["attachments"].append({**filled, **item})
        self.store_message(message)
        event = {**message, "member": member.member_payload(with_user=False)}
        await self.dispatch("MESSAGE_CREATE", event)
        return message

    # -- building ------------------------------------------------------------------------------

    def _component(self, message_id: int, custom_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        message = self.messages.get(message_id)
        if message is None:
            raise AssertionError(f"no stored message {message_id}")
        for component in _walk(message.get("components") or []):
            if component.get("custom_id") == custom_id:
                return message, component
        raise AssertionError(f"message {message_id} has no component {custom_id!r}")

    def _command_data(
        self,
        member: FakeMember,
        name: str,
        values: dict[str, object],
        subcommand: str | None,
        group: str | None,
        focused: str | None,
    ) -> dict[str, Any]:
        command = self.find_commands(name, member.guild.id)
        if command is None:
            raise AssertionError(f"command /{name} was never synced")
        definitions: list[dict[str, Any]] = command.get("options") or []
        path: list[dict[str, Any]] = []
        for kind, wanted in ((SUBCOMMAND_GROUP, group), (SUBCOMMAND, subcommand)):
            if wanted is None:
                continue
            parent = _option(definitions, wanted, name)
            if parent["type"] != kind:
                raise AssertionError(f"/{name} option {wanted!r} has type {parent['type']}")
            path.append({"name": wanted, "type": kind})
            definitions = parent.get("options") or []
        resolved: dict[str, dict[str, Any]] = {}
        options = []
        for key, value in values.items():
            definition = _option(definitions, key, name)
            option = self._option_value(member, definition, value, resolved)
            if key == focused:
                option["focused"] = True
                option["value"] = str(value)
            options.append(option)
        for parent in reversed(path):
            options = [{**parent, "options": options}]
        data: dict[str, Any] = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": options,
        }
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    def _option_value(
        self,
        member: FakeMember,
        definition: dict[str, Any],
        value: object,
        resolved: dict[str, dict[str, Any]],
    ) -> dict[str, Any]:
        kind = definition["type"]
        option: dict[str, Any] = {"name": definition["name"], "type": kind}
        if kind in (STRING, INTEGER, BOOLEAN, NUMBER):
            converters: dict[int, type] = {STRING: str, INTEGER: int, BOOLEAN: bool, NUMBER: float}
            option["value"] = converters[kind](value)
            return option
        guild = member.guild
        target = value.id if isinstance(value, FakeMember) else value
        if kind == ATTACHMENT and isinstance(value, dict):
            resolved.setdefault("attachments", {})[str(value["id"])] = value
            option["value"] = str(value["id"])
            return option
        if not isinstance(target, int | str):
            raise AssertionError(f"option {definition['name']!r} needs an id, got {value!r}")
        target_id = int(target)
        option["value"] = str(target_id)
        if target_id in guild.members and kind in (USER, MENTIONABLE):
            other = guild.members[target_id]
            resolved.setdefault("users", {})[str(target_id)] = other.user_payload()
            resolved.setdefault("members", {})[str(target_id)] = other.member_payload(
                with_user=False, with_permissions=True
            )
        elif target_id in guild.roles and kind in (ROLE, MENTIONABLE):
            resolved.setdefault("roles", {})[str(target_id)] = guild.roles[target_id]
        elif kind == CHANNEL and (channel := self.channel(target_id)) is not None:
            resolved.setdefault("channels", {})[str(target_id)] = {
                **channel,
                "permissions": str(member.permissions),
            }
        else:
            raise AssertionError(f"option {definition['name']!r}: nothing with id {target_id}")
        return option

    async def _interact(
        self,
        member: FakeMember,
        kind: int,
        data: dict[str, Any],
        *,
        channel_id: int | None = None,
        message: dict[str, Any] | None = None,
    ) -> FakeInteraction:
        guild = member.guild
        if channel_id is None:
            channel_id = int(message["channel_id"]) if message else guild.general_channel_id
        channel = self.require_channel(channel_id)
        payload: dict[str, Any] = {
            "id": str(snowflake()),
            "application_id": str(self.app_id),
            "type": kind,
            "token": f"aW50ZXJhY3Rpb246{secrets.token_urlsafe(48)}",
            "version": 1,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel_id),
            "channel": {**channel, "permissions": str(member.permissions)},
            "member": member.member_payload(with_permissions=True),
            "locale": "en-US",
            "guild_locale": "en-US",
            "app_permissions": str(ALL_PERMISSIONS),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "data": data,
        }
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        inter = FakeInteraction(self, payload, asyncio.get_running_loop().time())
        self.interactions[inter.id] = inter
        await self.dispatch("INTERACTION_CREATE", payload)
        return inter


def _option(definitions: list[dict[str, Any]], name: str, command: str) -> dict[str, Any]:
    for definition in definitions:
        if definition["name"] == name:
            return definition
    known = [d["name"] for d in definitions]
    raise AssertionError(f"/{command} has no option {name!r} (synced: {known})")


def _walk(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for component in components:
        yield component
        yield from _walk(component.get("components") or [])
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                yield from _walk([component[key]])


def _submitted(component: dict[str, Any], values: dict[str, str | list[str]]) -> dict[str, Any]:
    """What the Discord client submits for one modal component, consuming ``values``."""
    kind = component["type"]
    if kind == 1:
        children = [_submitted(c, values) for c in component.get("components", [])]
        return {"type": 1, "id": component.get("id", 0), "components": children}
    if kind == 18:
        inner = _submitted(component["component"], values)
        return {"type": 18, "id": component.get("id", 0), "component": inner}
    custom_id = component.get("custom_id", "")
    answer: dict[str, Any] = {"type": kind, "id": component.get("id", 0), "custom_id": custom_id}
    value = values.pop(custom_id, None)
    if kind == 4:
        answer["value"] = value or ""
    elif kind in _SELECT_TYPES:
        answer["values"] = [value] if isinstance(value, str) else list(value or [])
    else:
        answer = {"type": kind, "id": component.get("id", 0)}
    return answer
