"""The fake Discord's recorded state: requests, interactions, messages, and waiting on them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from tests.fakes.discord_payloads import EPHEMERAL, FakeGuild, FakeMember

if TYPE_CHECKING:
    from aiohttp import web

T = TypeVar("T")


@dataclass
class RecordedFile:
    name: str  # form field name, e.g. "files[0]"
    filename: str
    content: bytes
    content_type: str


@dataclass
class RecordedRequest:
    index: int
    method: str
    path: str  # after /api/v10
    query: dict[str, str]
    json: Any  # the JSON body (or multipart payload_json); None if there was none
    files: list[RecordedFile]
    headers: dict[str, str]
    status: int
    response: Any
    at: float  # event-loop time when the answer was sent

    def __str__(self) -> str:
        return f"#{self.index} {self.method} {self.path} -> {self.status}"


class FakeInteraction:
    """One interaction the fake dispatched, and everything the bot answered to it."""

    def __init__(self, fake: FakeState, payload: dict[str, Any], dispatched_at: float) -> None:
        self._fake = fake
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.dispatched_at = dispatched_at
        self.responses: list[dict[str, Any]] = []
        self.followups: list[dict[str, Any]] = []
        self.edits: list[dict[str, Any]] = []
        self.original_message_id: int | None = None
        # For component interactions: the message the component sits on.
        message = payload.get("message")
        self.component_message_id: int | None = int(message["id"]) if message else None

    def __repr__(self) -> str:
        return f"<FakeInteraction id={self.id} type={self.payload['type']}>"

    @property
    def ephemeral(self) -> bool:
        """Whether the initial response (message or deferred) carried the ephemeral flag."""
        if not self.responses:
            return False
        data = self.responses[0].get("data") or {}
        return bool((data.get("flags") or 0) & EPHEMERAL)

    @property
    def message(self) -> dict[str, Any] | None:
        """The stored message the response created or updated (None for modals, autocomplete)."""
        if self.original_message_id is None:
            return None
        return self._fake.messages.get(self.original_message_id)

    async def wait_response(self, timeout: float = 5) -> dict[str, Any]:  # noqa: ASYNC109
        """The first callback body (type 4/5/6/7/8/9)."""
        return await self._fake.wait_until(
            lambda: self.responses[0] if self.responses else None,
            timeout,
            lambda: f"no callback for {self!r}",
        )

    async def wait_followup(self, n: int = 1, timeout: float = 5) -> dict[str, Any]:  # noqa: ASYNC109
        """The n-th (1-based) followup body."""
        return await self._fake.wait_until(
            lambda: self.followups[n - 1] if len(self.followups) >= n else None,
            timeout,
            lambda: f"{len(self.followups)} followups for {self!r}, wanted {n}",
        )

    async def wait_edit(self, timeout: float = 5, n: int = 1) -> dict[str, Any]:  # noqa: ASYNC109
        """The n-th (1-based) PATCH @original body."""
        return await self._fake.wait_until(
            lambda: self.edits[n - 1] if len(self.edits) >= n else None,
            timeout,
            lambda: f"{len(self.edits)} edits of @original for {self!r}, wanted {n}",
        )


class FakeState:
    """Stores shared by the gateway, REST and member-action parts of :class:`FakeDiscord`."""

    app_id: int
    bot_user_id: int
    token: str
    api_base: str
    gateway_url: str

    def __init__(self) -> None:
        self.guilds: dict[int, FakeGuild] = {}
        self.requests: list[RecordedRequest] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.threads: dict[int, dict[str, Any]] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        self.thread_members: dict[int, set[int]] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.gateway_log: list[dict[str, Any]] = []
        # Seconds after dispatch within which an interaction must be answered (Discord: 3).
        self.response_window = 3.0
        self.identify_count = 0
        self.resume_count = 0
        self._changed = asyncio.Event()
        self._command_ids: dict[tuple[int | None, int, str], int] = {}
        self._app: web.Application | None = None

    # -- waiting -------------------------------------------------------------------------

    def _notify(self) -> None:
        """Wake every waiter; each re-checks its own predicate."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(
        self,
        probe: Callable[[], T | None],
        timeout: float,  # noqa: ASYNC109
        describe: Callable[[], str],
    ) -> T:
        """Return probe()'s first non-None value.

        Re-checked on every change of the fake's state, and every 50 ms so that probes may
        also look at the bot's own state. Raises AssertionError with describe() on timeout.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = probe()
            if value is not None:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s: {describe()}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.05))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway dispatch (implemented by the gateway part)."""
        raise NotImplementedError

    # -- lookups -------------------------------------------------------------------------

    def channel(self, channel_id: int) -> dict[str, Any] | None:
        """A guild channel or thread payload by id."""
        if channel_id in self.threads:
            return self.threads[channel_id]
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild.channels[channel_id]
        return None

    def guild_of_channel(self, channel_id: int) -> FakeGuild | None:
        channel = self.channel(channel_id)
        if channel is None:
            return None
        return self.guilds.get(int(channel["guild_id"]))

    def bot_member(self, guild: FakeGuild) -> FakeMember:
        return guild.members[self.bot_user_id]

    def channel_messages(self, channel_id: int) -> list[dict[str, Any]]:
        """Messages stored in a channel or thread, oldest first."""
        return sorted(
            (m for m in self.messages.values() if int(m["channel_id"]) == channel_id),
            key=lambda m: int(m["id"]),
        )

    def find_commands(self, name: str, guild_id: int | None) -> dict[str, Any] | None:
        """The synced chat-input command called ``name``: guild commands first, then global."""
        pools = [self.guild_commands.get(guild_id, [])] if guild_id is not None else []
        pools.append(self.global_commands)
        for pool in pools:
            for command in pool:
                if command["name"] == name and command.get("type", 1) == 1:
                    return command
        return None
