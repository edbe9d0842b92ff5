"""The fake gateway: HELLO, heartbeats, IDENTIFY -> READY + GUILD_CREATE, RESUME, faults.

Only text frames are sent; discord.py inflates binary frames only, so ``compress=`` in the
query string and ``compress: true`` in IDENTIFY can be ignored.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.discord_payloads import user_payload
from tests.fakes.discord_state import FakeState

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41250
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_RESUME = 0, 1, 2, 6
OP_RECONNECT, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 7, 9, 10, 11
CLOSE_AUTHENTICATION_FAILED = 4004


class GatewayMixin(FakeState):
    """One bot session at a time; dispatches are buffered while it reconnects."""

    def _init_gateway(self) -> None:
        self._ws: web.WebSocketResponse | None = None  # the socket of the live session
        self._sockets: set[web.WebSocketResponse] = set()
        self._send_lock = asyncio.Lock()
        self._session_id: str | None = None
        self._seq = 0
        self._sent: list[tuple[int, str, dict[str, Any]]] = []  # (seq, event, data)
        self._ready = asyncio.Event()

    async def wait_ready(self, timeout: float = 5) -> None:  # noqa: ASYNC109
        """Until a bot has IDENTIFIED and been sent READY and its GUILD_CREATEs."""
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"no bot became ready within {timeout}s; gateway ops seen: {self.gateway_log}"
            ) from None

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send an op 0 dispatch with the next sequence number (buffered if disconnected)."""
        if self._session_id is None:
            raise RuntimeError(f"cannot dispatch {event}: no bot has identified")
        async with self._send_lock:
            self._seq += 1
            self._sent.append((self._seq, event, data))
            if self._ws is not None and not self._ws.closed:
                await self._send(
                    self._ws, {"op": OP_DISPATCH, "t": event, "s": self._seq, "d": data}
                )

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the live socket abnormally (code 4000): discord.py reconnects and RESUMEs."""
        ws = self._detach()
        if ws is not None:
            await ws.close(code=code, message=b"fake: connection dropped")

    async def send_reconnect(self) -> None:
        """Op 7: the client closes and RESUMEs."""
        ws = self._detach()
        if ws is not None:
            await self._send(ws, {"op": OP_RECONNECT, "d": None, "s": None, "t": None})

    async def send_invalid_session(self, resumable: bool) -> None:
        """Op 9. Not resumable: the session is forgotten, so the client must IDENTIFY again."""
        ws = self._detach()
        if not resumable:
            self._session_id = None
            self._ready.clear()
        if ws is not None:
            await self._send(ws, {"op": OP_INVALID_SESSION, "d": resumable, "s": None, "t": None})

    def _detach(self) -> web.WebSocketResponse | None:
        ws, self._ws = self._ws, None
        return ws

    async def _close_gateway(self) -> None:
        self._ws = None
        for ws in list(self._sockets):
            await ws.close(code=1001, message=b"fake: shutting down")

    @staticmethod
    async def _send(ws: web.WebSocketResponse, payload: dict[str, Any]) -> None:
        if not ws.closed:
            await ws.send_str(json.dumps(payload))

    async def _gateway_handler(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self._sockets.add(ws)
        try:
            await self._send(
                ws, {"op": OP_HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}}
            )
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                self.gateway_log.append(payload)
                await self._on_op(ws, payload)
                self._notify()
        finally:
            self._sockets.discard(ws)
            if self._ws is ws:
                self._ws = None
            self._notify()
        return ws

    async def _on_op(self, ws: web.WebSocketResponse, payload: dict[str, Any]) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == OP_HEARTBEAT:
            await self._send(ws, {"op": OP_HEARTBEAT_ACK})
        elif op == OP_IDENTIFY and isinstance(data, dict):
            await self._identify(ws, data)
        elif op == OP_RESUME and isinstance(data, dict):
            await self._resume(ws, data)
        else:
            log.debug("fake gateway ignoring op %s", op)

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        if data.get("token") not in (self.token, f"Bot {self.token}"):
            await ws.close(code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return
        self.identify_count += 1
        old = self._detach()
        if old is not None and old is not ws:
            await old.close(code=4000)
        async with self._send_lock:
            self._session_id = f"sess-{secrets.token_hex(8)}"
            self._seq = 0
            self._sent = []
            self._ws = ws
        bot = user_payload(self.bot_user_id, "studybot", bot=True)
        bot.update({"verified": True, "mfa_enabled": False, "email": None})
        await self.dispatch(
            "READY",
            {
                "v": 10,
                "user": bot,
                "guilds": [{"id": str(g), "unavailable": True} for g in self.guilds],
                "session_id": self._session_id,
                "resume_gateway_url": self.gateway_url,
                "application": {"id": str(self.app_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": ["us-east"],
                "user_settings": {},
                "_trace": ["fake-discord"],
            },
        )
        for guild in self.guilds.values():
            threads = [t for t in self.threads.values() if int(t["guild_id"]) == guild.id]
            await self.dispatch("GUILD_CREATE", guild.create_payload(threads))
        self._ready.set()

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        valid = (
            self._session_id is not None
            and data.get("session_id") == self._session_id
            and data.get("token") in (self.token, f"Bot {self.token}")
        )
        if not valid:
            await self._send(ws, {"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        self.resume_count += 1
        last_seq = data.get("seq") or 0
        async with self._send_lock:
            for seq, event, payload in self._sent:
                if seq > last_seq:
                    await self._send(ws, {"op": OP_DISPATCH, "t": event, "s": seq, "d": payload})
            self._seq += 1
            self._sent.append((self._seq, "RESUMED", {}))
            await self._send(ws, {"op": OP_DISPATCH, "t": "RESUMED", "s": self._seq, "d": {}})
            self._ws = ws
