"""Interaction callbacks and the interaction webhook (followups, @original) routes.

Enforced like Discord: a callback later than 3 s after dispatch, or with a wrong token, is
404 10062; a second callback is 400 40060; webhooks need a response first and a token younger
than 15 minutes. The first followup after a "thinking" defer (type 5) replaces the loading
message, as on Discord.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tests.fakes.discord_messages import (
    ApiRequest,
    HttpError,
    MessageStoreMixin,
    apply_message_body,
)
from tests.fakes.discord_payloads import EPHEMERAL, LOADING
from tests.fakes.discord_state import FakeInteraction

Answer = tuple[int, Any]
TOKEN_LIFETIME = 15 * 60.0
_COMMAND_INTERACTIONS = (2,)  # message type 20 (CHAT_INPUT_COMMAND) for these


class WebhookMixin(MessageStoreMixin):
    def _interaction_message(
        self, inter: FakeInteraction, body: dict[str, Any], req: ApiRequest, *, flags: int
    ) -> dict[str, Any]:
        payload = inter.payload
        message = self.new_bot_message(
            int(payload["channel_id"]),
            {**body, "flags": flags},
            req.files,
            webhook_id=str(self.app_id),
            application_id=str(self.app_id),
            interaction_metadata={
                "id": str(inter.id),
                "type": payload["type"],
                "user": _invoker(payload),
                "authorizing_integration_owners": payload.get("authorizing_integration_owners", {}),
            },
        )
        if payload["type"] in _COMMAND_INTERACTIONS:
            message["type"] = 20
        return self.store_message(message)

    async def interaction_callback(self, req: ApiRequest) -> Answer:
        inter = self.interactions.get(req.int_param("interaction"))
        if inter is None or inter.token != req.params["token"]:
            raise HttpError(404, 10062, "Unknown interaction")
        if asyncio.get_running_loop().time() - inter.dispatched_at > self.response_window:
            raise HttpError(404, 10062, "Unknown interaction")
        if inter.responses:
            raise HttpError(400, 40060, "Interaction has already been acknowledged.")
        body: dict[str, Any] = req.body
        kind = body["type"]
        data = body.get("data") or {}
        flags = int(data.get("flags") or 0)
        resource: dict[str, Any] = {"type": kind}
        if kind == 4:
            message = self._interaction_message(inter, data, req, flags=flags)
            inter.original_message_id = int(message["id"])
            resource["message"] = message
        elif kind == 5:
            message = self._interaction_message(inter, {}, req, flags=LOADING | (flags & EPHEMERAL))
            inter.original_message_id = int(message["id"])
            resource["message"] = message
        elif kind in (6, 7) and inter.component_message_id is not None:
            inter.original_message_id = inter.component_message_id
            if kind == 7:
                message = self.require_message(inter.component_message_id)
                apply_message_body(message, data, req.files, editing=True)
                resource["message"] = message
        elif (kind == 8 and inter.payload["type"] == 4) or (
            kind == 9 and inter.payload["type"] != 5
        ):
            pass
        else:
            raise HttpError(400, 40043, f"Interaction callback type {kind} not valid here")
        inter.responses.append(body)
        created = self.messages.get(inter.original_message_id or 0) if kind in (4, 5) else None
        return 200, {
            "interaction": {
                "id": str(inter.id),
                "type": inter.payload["type"],
                "response_message_id": created["id"] if created else None,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(created and created["flags"] & EPHEMERAL),
            },
            "resource": resource,
        }

    def _webhook_interaction(self, req: ApiRequest) -> FakeInteraction:
        token = req.params["token"]
        inter = next((i for i in self.interactions.values() if i.token == token), None)
        if req.int_param("app") != self.app_id or inter is None:
            raise HttpError(404, 10015, "Unknown Webhook")
        if asyncio.get_running_loop().time() - inter.dispatched_at > TOKEN_LIFETIME:
            raise HttpError(401, 50027, "Invalid Webhook Token")
        if not inter.responses:
            raise HttpError(404, 10015, "Unknown Webhook")
        return inter

    async def create_followup(self, req: ApiRequest) -> Answer:
        inter = self._webhook_interaction(req)
        body: dict[str, Any] = req.body or {}
        inter.followups.append(body)
        original = self.messages.get(inter.original_message_id or 0)
        if original is not None and original["flags"] & LOADING:
            # Discord turns the first followup after a thinking defer into that message.
            apply_message_body(original, body, req.files, editing=False)
            original["flags"] &= ~LOADING
            return 200, original
        flags = int(body.get("flags") or 0)
        return 200, self._interaction_message(inter, body, req, flags=flags)

    def _webhook_message(self, req: ApiRequest, inter: FakeInteraction) -> dict[str, Any]:
        ref = req.params["message"]
        if ref == "@original":
            if inter.original_message_id is None:
                raise HttpError(404, 10008, "Unknown Message")
            return self.require_message(inter.original_message_id)
        return self.require_message(int(ref))

    async def get_webhook_message(self, req: ApiRequest) -> Answer:
        inter = self._webhook_interaction(req)
        return 200, self._webhook_message(req, inter)

    async def edit_webhook_message(self, req: ApiRequest) -> Answer:
        inter = self._webhook_interaction(req)
        message = self._webhook_message(req, inter)
        body: dict[str, Any] = req.body or {}
        if req.params["message"] == "@original":
            inter.edits.append(body)
        loading = bool(message["flags"] & LOADING)
        apply_message_body(message, body, req.files, editing=not loading)
        message["flags"] &= ~LOADING
        return 200, message

    async def delete_webhook_message(self, req: ApiRequest) -> Answer:
        inter = self._webhook_interaction(req)
        message = self._webhook_message(req, inter)
        del self.messages[int(message["id"])]
        return 204, None


def _invoker(payload: dict[str, Any]) -> dict[str, Any]:
    if "member" in payload:
        user: dict[str, Any] = payload["member"]["user"]
        return user
    user = payload["user"]
    return user
