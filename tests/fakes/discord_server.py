"""A loopback Discord (API v10 REST + gateway) that an unmodified discord.py bot runs against.

Point discord.py at it before ``login()``::

    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))

Every REST request is recorded (:attr:`FakeDiscord.requests`), JSON bodies are validated
against Discord's OpenAPI spec plus the limits in :mod:`tests.fakes.discord_rules`, and faults
(429s, errors, delays, dropped sockets) can be injected. The pieces live in sibling modules:
payload builders, spec validation, gateway, REST routes, interaction webhooks, member actions.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web

from tests.fakes.discord_actions import ActionsMixin
from tests.fakes.discord_gateway import GatewayMixin
from tests.fakes.discord_messages import ApiRequest, HttpError
from tests.fakes.discord_payloads import (
    ADMINISTRATOR,
    MANAGE_GUILD,
    FakeGuild,
    FakeMember,
    fake_token,
    snowflake,
)
from tests.fakes.discord_rest import RestMixin
from tests.fakes.discord_rules import check_callback, check_message
from tests.fakes.discord_spec import FormErrors, OpenApiSpec, load_spec
from tests.fakes.discord_state import FakeInteraction, RecordedFile, RecordedRequest
from tests.fakes.discord_webhooks import WebhookMixin

__all__ = [
    "DEFAULT_SPEC_PATH",
    "FakeDiscord",
    "FakeGuild",
    "FakeInteraction",
    "FakeMember",
    "RecordedFile",
    "RecordedRequest",
    "StudyGroupDiscord",
]

log = logging.getLogger(__name__)

DEFAULT_SPEC_PATH = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "discord-api-spec" / "openapi.json"
)
API_PREFIX = "/api/v10"
_SNOWFLAKE = r"\d+"
Handler = Callable[[ApiRequest], Awaitable[tuple[int, Any]]]


@dataclass
class _Fault:
    method: str
    regex: re.Pattern[str]
    times: int
    status: int = 0
    retry_after: float | None = None
    is_global: bool = False
    code: int | None = None
    delay: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and self.method == method and bool(self.regex.search(path))


class FakeDiscord(GatewayMixin, RestMixin, WebhookMixin, ActionsMixin):
    """The fake. Add guilds before the bot connects; they are sent on IDENTIFY."""

    def __init__(self, *, spec_path: Path | None = DEFAULT_SPEC_PATH) -> None:
        super().__init__()
        self._init_gateway()
        self.app_id = snowflake()
        self.bot_user_id = self.app_id  # as for any bot created since 2020
        self.token = fake_token(self.bot_user_id)
        self.api_base = ""
        self.gateway_url = ""
        self.spec: OpenApiSpec | None = load_spec(spec_path)
        self._faults: list[_Fault] = []
        self._slows: list[_Fault] = []
        self._runner: web.AppRunner | None = None
        self._routes: list[tuple[str, re.Pattern[str], Handler, bool]] = []
        self._build_routes()

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway_handler)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest_handler)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.api_base = f"http://127.0.0.1:{port}{API_PREFIX}"
        self.gateway_url = f"ws://127.0.0.1:{port}/gateway"

    async def close(self) -> None:
        await self._close_gateway()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def add_guild(self, *, name: str = "Study Group", owner_id: int | None = None) -> FakeGuild:
        """A guild with @everyone, a "general" channel and the bot as an administrator."""
        guild = FakeGuild(name=name, owner_id=owner_id if owner_id is not None else snowflake())
        guild.add_member("studybot", permissions=ADMINISTRATOR, bot=True, user_id=self.bot_user_id)
        self.guilds[guild.id] = guild
        return guild

    # -- fault injection -------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path_regex: str,
        *,
        status: int,
        retry_after: float | None = None,
        is_global: bool = False,
        code: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching requests (``re.search`` on the path) with an error."""
        if status == 429 and retry_after is None:
            retry_after = 0.05
        self._faults.append(
            _Fault(
                method.upper(), re.compile(path_regex), times, status, retry_after, is_global, code
            )
        )

    def slow_next(self, method: str, path_regex: str, delay: float, times: int = 1) -> None:
        """Delay the next ``times`` matching requests by ``delay`` seconds before handling."""
        self._slows.append(_Fault(method.upper(), re.compile(path_regex), times, delay=delay))

    async def wait_request(
        self,
        method: str,
        path_regex: str,
        *,
        timeout: float = 5,  # noqa: ASYNC109
        predicate: Callable[[RecordedRequest], bool] | None = None,
        after: int = 0,
    ) -> RecordedRequest:
        """The first recorded request with index >= ``after`` matching method and path regex."""
        method, regex = method.upper(), re.compile(path_regex)

        def probe() -> RecordedRequest | None:
            for request in self.requests[after:]:
                if (
                    request.method == method
                    and regex.search(request.path)
                    and (predicate is None or predicate(request))
                ):
                    return request
            return None

        def describe() -> str:
            seen = "\n  ".join(str(r) for r in self.requests) or "(none)"
            return f"no {method} {path_regex} (after #{after}); requests seen:\n  {seen}"

        return await self.wait_until(probe, timeout, describe)

    # -- HTTP pipeline ---------------------------------------------------------------------

    def _build_routes(self) -> None:
        msg_ref, tok = "{message:@original|\\d+}", "{token:[^/]+}"
        table: list[tuple[str, str, Handler, bool]] = [
            ("GET", "/users/@me", self.get_me, True),
            ("GET", "/oauth2/applications/@me", self.get_application, True),
            ("GET", "/gateway(?:/bot)?", self.get_gateway, False),
            ("GET", "/applications/{app}/commands", self.get_commands, True),
            ("PUT", "/applications/{app}/commands", self.put_commands, True),
            ("GET", "/applications/{app}/guilds/{guild}/commands", self.get_commands, True),
            ("PUT", "/applications/{app}/guilds/{guild}/commands", self.put_commands, True),
            ("POST", f"/interactions/{{interaction}}/{tok}/callback", self.interaction_callback,
             False),
            ("POST", f"/webhooks/{{app}}/{tok}", self.create_followup, False),
            ("GET", f"/webhooks/{{app}}/{tok}/messages/{msg_ref}", self.get_webhook_message,
             False),
            ("PATCH", f"/webhooks/{{app}}/{tok}/messages/{msg_ref}", self.edit_webhook_message,
             False),
            ("DELETE", f"/webhooks/{{app}}/{tok}/messages/{msg_ref}",
             self.delete_webhook_message, False),
            ("GET", "/channels/{channel}", self.get_channel, True),
            ("PATCH", "/channels/{channel}", self.patch_channel, True),
            ("POST", "/channels/{channel}/typing", self.typing, True),
            ("GET", "/channels/{channel}/messages", self.list_messages, True),
            ("POST", "/channels/{channel}/messages", self.create_message, True),
            ("GET", "/channels/{channel}/messages/{message}", self.get_message, True),
            ("PATCH", "/channels/{channel}/messages/{message}", self.edit_message, True),
            ("DELETE", "/channels/{channel}/messages/{message}", self.delete_message, True),
            ("POST", "/channels/{channel}/messages/{message}/threads", self.thread_from_message,
             True),
            ("POST", "/channels/{channel}/threads", self.thread_without_message, True),
            ("PUT", "/channels/{channel}/thread-members/{user:@me|\\d+}", self.add_thread_member,
             True),
            ("GET", "/guilds/{guild}", self.get_guild, True),
            ("GET", "/guilds/{guild}/members/{user}", self.get_member, True),
        ]  # fmt: skip
        for method, template, handler, auth in table:
            pattern = re.sub(
                r"\{(\w+)(?::([^}]+))?\}",
                lambda m: f"(?P<{m[1]}>{m[2] or _SNOWFLAKE})",
                template,
            )
            self._routes.append((method, re.compile(f"^{pattern}$"), handler, auth))

    async def _rest_handler(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method
        try:
            body, files = await _read_body(request)
        except ValueError:
            body, files = None, []
            status, answer = 400, {"message": "400: Bad Request", "code": 50109}
            headers: dict[str, str] = {}
        else:
            status, answer, headers = await self._answer(request, method, path, body, files)
        loop = asyncio.get_running_loop()
        self.requests.append(
            RecordedRequest(
                index=len(self.requests),
                method=method,
                path=path,
                query=dict(request.query),
                json=body,
                files=files,
                headers=dict(request.headers),
                status=status,
                response=answer,
                at=loop.time(),
            )
        )
        self._notify()
        if status == 204 or answer is None:
            return web.Response(status=status, headers=headers)
        headers["Content-Type"] = "application/json"  # exactly; discord.py compares the string
        return web.Response(status=status, body=json.dumps(answer).encode(), headers=headers)

    async def _answer(
        self, request: web.Request, method: str, path: str, body: Any, files: list[RecordedFile]
    ) -> tuple[int, Any, dict[str, str]]:
        slow = next((f for f in self._slows if f.matches(method, path)), None)
        if slow is not None:
            slow.times -= 1
            await asyncio.sleep(slow.delay)
        fault = next((f for f in self._faults if f.matches(method, path)), None)
        if fault is not None:
            fault.times -= 1
            return _fault_answer(fault)
        for route_method, regex, handler, auth in self._routes:
            match = regex.match(path)
            if match is None or route_method != method:
                continue
            if auth and request.headers.get("Authorization") != f"Bot {self.token}":
                return 401, {"message": "401: Unauthorized", "code": 0}, {}
            errors = self._validate(method, path, body)
            if errors:
                return 400, {"code": 50035, "message": "Invalid Form Body", "errors": errors}, {}
            req = ApiRequest(method, path, match.groupdict(), dict(request.query), body, files)
            try:
                status, answer = await handler(req)
            except HttpError as error:
                return error.status, error.body, {}
            except (TypeError, ValueError, KeyError):
                # Without the OpenAPI spec a wrongly typed field reaches the handler;
                # real Discord would refuse it, so answer as Discord does, not with a 500.
                return 400, {"code": 50035, "message": "Invalid Form Body", "errors": {}}, {}
            return status, answer, {}
        return 404, {"message": "404: Not Found", "code": 0}, {}

    def _validate(self, method: str, path: str, body: Any) -> FormErrors:
        if body is None or method in ("GET", "DELETE"):
            return {}
        errors = self.spec.validate(method, path, body) if self.spec else {}
        if errors:
            return errors
        rules: FormErrors = {}
        if re.match(r"^/interactions/\d+/[^/]+/callback$", path):
            rules = check_callback(body)
        elif re.match(r"^/(channels/\d+/messages|webhooks/\d+/[^/]+)(/messages)?(/[^/]+)?$", path):
            check_message(body, rules, [])
        return rules


async def _read_body(request: web.Request) -> tuple[Any, list[RecordedFile]]:
    """JSON body, or multipart ``payload_json`` plus ``files[N]`` parts. ValueError if bad."""
    if not request.can_read_body:
        return None, []
    if request.content_type.startswith("multipart/"):
        body: Any = None
        files: list[RecordedFile] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.name == "payload_json":
                body = json.loads(await part.text())
            else:
                content = bytes(await part.read())
                files.append(
                    RecordedFile(
                        name=part.name,
                        filename=part.filename or part.name,
                        content=content,
                        content_type=part.headers.get("Content-Type", "application/octet-stream"),
                    )
                )
        return body, files
    raw = await request.read()
    if not raw:
        return None, []
    return json.loads(raw), []


def _fault_answer(fault: _Fault) -> tuple[int, Any, dict[str, str]]:
    if fault.status != 429:
        messages = {400: "400: Bad Request", 403: "Missing Access", 404: "404: Not Found"}
        body = {"message": messages.get(fault.status, f"{fault.status}: fake error"),
                "code": fault.code or 0}  # fmt: skip
        return fault.status, body, {}
    retry_after = fault.retry_after or 0.0
    body = {
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": fault.is_global,
    }
    if fault.code is not None:
        body["code"] = fault.code
    headers = {
        "Via": "1.1 google",
        "Retry-After": str(math.ceil(retry_after)),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Scope": "global" if fault.is_global else "user",
    }
    if fault.is_global:
        headers["X-RateLimit-Global"] = "true"
    else:
        headers["X-RateLimit-Bucket"] = f"fake{zlib.crc32(fault.regex.pattern.encode()):08x}"
    return 429, body, headers


class StudyGroupDiscord(FakeDiscord):
    """A fake with one guild "Study Group": a "study" channel, members alice and admin.

    ``alice`` has only @everyone permissions; ``admin`` has Manage Server (MANAGE_GUILD).
    """

    def __init__(self, *, spec_path: Path | None = DEFAULT_SPEC_PATH) -> None:
        super().__init__(spec_path=spec_path)
        self.guild = self.add_guild(name="Study Group")
        self.study_channel_id = self.guild.add_text_channel("study")
        self.alice = self.guild.add_member("alice")
        self.admin = self.guild.add_member("admin", permissions=MANAGE_GUILD)
