"""REST routes for users, the application, commands, guilds, channels, messages and threads."""

from __future__ import annotations

from typing import Any

from tests.fakes.discord_messages import (
    ApiRequest,
    HttpError,
    MessageStoreMixin,
    apply_message_body,
    unknown,
)
from tests.fakes.discord_payloads import iso_now, snowflake, thread_payload, user_payload

Answer = tuple[int, Any]
ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)


class RestMixin(MessageStoreMixin):
    # -- identity --------------------------------------------------------------------------

    async def get_me(self, req: ApiRequest) -> Answer:
        user = self.bot_user()
        user.update({"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"})
        return 200, user

    async def get_application(self, req: ApiRequest) -> Answer:
        return 200, {
            "id": str(self.app_id),
            "name": "studybot",
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": user_payload(self.app_id + 1, "owner"),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
            "bot": self.bot_user(),
        }

    async def get_gateway(self, req: ApiRequest) -> Answer:
        answer: dict[str, Any] = {"url": self.gateway_url}
        if req.path.endswith("/bot"):
            answer["shards"] = 1
            answer["session_start_limit"] = {
                "total": 1000,
                "remaining": 1000,
                "reset_after": 0,
                "max_concurrency": 1,
            }
        return 200, answer

    # -- application commands --------------------------------------------------------------

    def _check_app(self, req: ApiRequest) -> int | None:
        if req.int_param("app") != self.app_id:
            raise HttpError(403, 50001, "Missing Access")
        if "guild" not in req.params:
            return None
        guild_id = req.int_param("guild")
        if guild_id not in self.guilds:
            raise HttpError(403, 50001, "Missing Access")
        return guild_id

    async def get_commands(self, req: ApiRequest) -> Answer:
        guild_id = self._check_app(req)
        pool = self.global_commands if guild_id is None else self.guild_commands.get(guild_id, [])
        return 200, pool

    async def put_commands(self, req: ApiRequest) -> Answer:
        guild_id = self._check_app(req)
        stored = [self._store_command(c, guild_id) for c in req.body or []]
        if guild_id is None:
            self.global_commands = stored
        else:
            self.guild_commands[guild_id] = stored
        return 200, stored

    def _store_command(self, command: dict[str, Any], guild_id: int | None) -> dict[str, Any]:
        kind = int(command.get("type") or 1)
        key = (guild_id, kind, command["name"])
        command_id = self._command_ids.setdefault(key, snowflake())
        stored: dict[str, Any] = {
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            "integration_types": [0],
            "contexts": None,
            **command,
            "id": str(command_id),
            "application_id": str(self.app_id),
            "type": kind,
            "version": str(snowflake()),
        }
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return stored

    # -- guilds ----------------------------------------------------------------------------

    async def get_guild(self, req: ApiRequest) -> Answer:
        guild = self.guilds.get(req.int_param("guild"))
        if guild is None:
            raise unknown("Guild", 10004)
        with_counts = req.query.get("with_counts", "").lower() in ("1", "true")
        data = guild.payload(with_counts=with_counts)
        return 200, data

    async def get_member(self, req: ApiRequest) -> Answer:
        guild = self.guilds.get(req.int_param("guild"))
        if guild is None:
            raise unknown("Guild", 10004)
        member = guild.members.get(req.int_param("user"))
        if member is None:
            raise unknown("Member", 10007)
        return 200, member.member_payload()

    # -- channels --------------------------------------------------------------------------

    async def get_channel(self, req: ApiRequest) -> Answer:
        return 200, self.require_channel(req.int_param("channel"))

    async def patch_channel(self, req: ApiRequest) -> Answer:
        channel_id = req.int_param("channel")
        channel = self.require_channel(channel_id)
        body = req.body or {}
        for key in ("name", "topic", "rate_limit_per_user", "nsfw", "applied_tags", "flags"):
            if key in body:
                channel[key] = body[key]
        if channel_id in self.threads:
            meta = channel["thread_metadata"]
            for key in ("archived", "locked", "auto_archive_duration", "invitable"):
                if key in body:
                    meta[key] = body[key]
            if "archived" in body:
                meta["archive_timestamp"] = iso_now()
            await self.dispatch("THREAD_UPDATE", channel)
        else:
            await self.dispatch("CHANNEL_UPDATE", channel)
        return 200, channel

    async def typing(self, req: ApiRequest) -> Answer:
        self.require_channel(req.int_param("channel"))
        return 204, None

    # -- messages --------------------------------------------------------------------------

    async def create_message(self, req: ApiRequest) -> Answer:
        channel_id = req.int_param("channel")
        self.require_channel(channel_id)
        body = req.body or {}
        if not any(body.get(k) for k in ("content", "embeds", "components", "poll")) and not (
            req.files or body.get("sticker_ids")
        ):
            raise HttpError(400, 50006, "Cannot send an empty message")
        thread = self.threads.get(channel_id)
        if thread is not None and thread["thread_metadata"]["archived"]:
            thread["thread_metadata"]["archived"] = False
        message = self.store_message(self.new_bot_message(channel_id, body, req.files))
        return 200, message

    async def list_messages(self, req: ApiRequest) -> Answer:
        channel_id = req.int_param("channel")
        self.require_channel(channel_id)
        limit = max(1, min(100, int(req.query.get("limit", "50"))))
        newest_first = sorted(self.channel_messages(channel_id), key=lambda m: -int(m["id"]))
        if "before" in req.query:
            before = int(req.query["before"])
            page = [m for m in newest_first if int(m["id"]) < before][:limit]
        elif "after" in req.query:
            after = int(req.query["after"])
            page = [m for m in newest_first if int(m["id"]) > after][-limit:]
        elif "around" in req.query:
            around = int(req.query["around"])
            older = [m for m in newest_first if int(m["id"]) <= around][: limit - limit // 2]
            newer = [m for m in newest_first if int(m["id"]) > around]
            page = newer[len(newer) - limit // 2 :] if limit // 2 else []
            page += older
        else:
            page = newest_first[:limit]
        return 200, page

    async def get_message(self, req: ApiRequest) -> Answer:
        return 200, self.require_message(req.int_param("message"), req.int_param("channel"))

    async def edit_message(self, req: ApiRequest) -> Answer:
        message = self.require_message(req.int_param("message"), req.int_param("channel"))
        if int(message["author"]["id"]) != self.bot_user_id:
            raise HttpError(403, 50005, "Cannot edit a message authored by another user")
        apply_message_body(message, req.body or {}, req.files, editing=True)
        return 200, message

    async def delete_message(self, req: ApiRequest) -> Answer:
        message = self.require_message(req.int_param("message"), req.int_param("channel"))
        del self.messages[int(message["id"])]
        return 204, None

    # -- threads ---------------------------------------------------------------------------

    async def thread_from_message(self, req: ApiRequest) -> Answer:
        channel_id = req.int_param("channel")
        message = self.require_message(req.int_param("message"), channel_id)
        if "thread" in message:
            raise HttpError(400, 160004, "A thread has already been created for this message")
        thread = await self._create_thread(
            req, thread_id=int(message["id"]), parent_id=channel_id, private=False
        )
        message["thread"] = thread
        message["flags"] = int(message.get("flags") or 0) | (1 << 5)  # HAS_THREAD
        return 201, thread

    async def thread_without_message(self, req: ApiRequest) -> Answer:
        kind = int((req.body or {}).get("type") or 12)
        if kind not in (11, 12):
            raise HttpError(400, 50035, "Invalid Form Body")
        thread = await self._create_thread(
            req, thread_id=snowflake(), parent_id=req.int_param("channel"), private=kind == 12
        )
        return 201, thread

    async def _create_thread(
        self, req: ApiRequest, *, thread_id: int, parent_id: int, private: bool
    ) -> dict[str, Any]:
        parent = self.require_channel(parent_id)
        if parent_id in self.threads:
            raise HttpError(400, 50024, "Cannot execute action on this channel type")
        body = req.body or {}
        duration = int(body.get("auto_archive_duration") or 4320)
        if duration not in ARCHIVE_DURATIONS:
            raise HttpError(
                400,
                50035,
                "Invalid Form Body",
                errors={
                    "auto_archive_duration": {
                        "_errors": [
                            {
                                "code": "BASE_TYPE_CHOICES",
                                "message": f"Value must be one of {ARCHIVE_DURATIONS}.",
                            }
                        ]
                    }
                },
            )
        thread = thread_payload(
            thread_id,
            guild_id=int(parent["guild_id"]),
            parent_id=parent_id,
            owner_id=self.bot_user_id,
            name=body.get("name", ""),
            private=private,
            auto_archive_duration=duration,
            rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
            invitable=bool(body.get("invitable", True)),
        )
        self.threads[thread_id] = thread
        self.thread_members[thread_id] = {self.bot_user_id}
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return thread

    async def add_thread_member(self, req: ApiRequest) -> Answer:
        thread_id = req.int_param("channel")
        thread = self.threads.get(thread_id)
        if thread is None:
            raise unknown("Channel", 10003)
        user = req.params["user"]
        user_id = self.bot_user_id if user == "@me" else int(user)
        guild = self.guilds[int(thread["guild_id"])]
        if user_id not in guild.members:
            raise unknown("Member", 10007)
        members = self.thread_members.setdefault(thread_id, set())
        members.add(user_id)
        thread["member_count"] = len(members)
        return 204, None
