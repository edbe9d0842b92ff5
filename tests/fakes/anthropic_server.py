"""A loopback Anthropic Messages API for tests, driven through the real ``anthropic`` SDK.

The fake speaks the wire protocol the SDK expects (see /work/shared/notes/loopback-facts.md,
section 2): ``POST /v1/messages`` as JSON or as an SSE stream, ``POST
/v1/messages/count_tokens``, error bodies shaped like the real API, and the retry headers the
SDK obeys. Replies are scripted with :class:`Reply` (a FIFO queue, then a responder, then a
short default), and every request is recorded with what was answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

DEFAULT_TEXT = "(fake) ok"

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}

ERROR_MESSAGES = {
    "rate_limit_error": "Number of request tokens has exceeded your per-minute rate limit",
    "overloaded_error": "Overloaded",
    "api_error": "Internal server error",
}


@dataclass
class Reply:
    """One scripted answer to one ``/v1/messages`` request.

    ``status`` other than 200 makes an error response (body type from :data:`ERROR_TYPES`
    unless ``error_type`` is given). Token counts default to deterministic estimates.
    Delays are in seconds and are cut short when the server closes.
    """

    text: str | None = None
    chunks: list[str] | None = None
    tool_use: dict[str, Any] | None = None
    stop_reason: str | None = None
    stop_sequence: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    status: int = 200
    error_type: str | None = None
    error_message: str | None = None
    retry_after: float | None = None
    retry_after_ms: int | None = None
    should_retry: bool | None = None
    stream_error_after: int | None = None
    stream_error_type: str = "overloaded_error"
    first_byte_delay: float = 0.0
    chunk_delay: float = 0.0

    @classmethod
    def tool(cls, name: str, tool_input: dict[str, Any], **kwargs: Any) -> Reply:
        """A reply that calls ``name`` with ``tool_input`` (``stop_reason`` tool_use)."""
        return cls(tool_use={"name": name, "input": tool_input}, **kwargs)

    @classmethod
    def error(cls, status: int, **kwargs: Any) -> Reply:
        """An error reply; e.g. ``Reply.error(529, retry_after_ms=10)``."""
        return cls(status=status, **kwargs)

    def full_text(self) -> str | None:
        if self.text is not None:
            return self.text
        if self.chunks is not None:
            return "".join(self.chunks)
        return None


@dataclass
class RecordedMessageRequest:
    """One request as it reached the fake, and what the fake answered (filled in as it goes)."""

    index: int
    path: str
    body: dict[str, Any]
    headers: dict[str, str]  # lower-cased names
    at: datetime
    reply: Reply | None = None
    status: int | None = None  # None until answered
    response: dict[str, Any] | None = None  # message JSON (final message when streamed) or error
    events: list[str] = field(default_factory=list)  # SSE event names sent, in order
    usage: dict[str, int] | None = None  # set once usage was reported in full
    disconnected: bool = False  # the client went away before the answer was complete
    done: asyncio.Event = field(default_factory=asyncio.Event, repr=False, compare=False)
    """Set when the handler has finished with this request, however it ended."""

    @property
    def model(self) -> Any:
        return self.body.get("model")

    @property
    def system(self) -> Any:
        return self.body.get("system")

    @property
    def messages(self) -> list[dict[str, Any]]:
        msgs = self.body.get("messages")
        return msgs if isinstance(msgs, list) else []

    @property
    def tools(self) -> list[dict[str, Any]]:
        tools = self.body.get("tools")
        return tools if isinstance(tools, list) else []

    @property
    def tool_choice(self) -> dict[str, Any] | None:
        choice = self.body.get("tool_choice")
        return choice if isinstance(choice, dict) else None

    @property
    def stream(self) -> bool:
        return self.body.get("stream") is True

    @property
    def retry_count(self) -> int:
        return int(self.headers.get("x-stainless-retry-count", "0"))

    @property
    def api_key(self) -> str | None:
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:]
        return self.headers.get("x-api-key")

    @property
    def system_text(self) -> str:
        return _text_of(self.system)

    @property
    def last_user_text(self) -> str:
        users = [m for m in self.messages if m.get("role") == "user"]
        return _text_of(users[-1].get("content")) if users else ""


Responder = Callable[[RecordedMessageRequest], Reply | Awaitable[Reply]]


class FakeAnthropic:
    """The loopback server. ``await start()`` binds 127.0.0.1 on a free port; ``base_url``
    is then what ``AsyncAnthropic(base_url=...)`` takes."""

    def __init__(self, *, strict_alternation: bool = True) -> None:
        # The current API merges consecutive same-role turns; the strict rule is the older,
        # stricter contract and catches history-building bugs, so it is the default here.
        self.strict_alternation = strict_alternation
        self.requests: list[RecordedMessageRequest] = []
        self.count_tokens_requests: list[RecordedMessageRequest] = []
        self._queue: list[Reply] = []
        self._responder: Responder | None = None
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        if self._runner is None:
            raise RuntimeError("FakeAnthropic is not started")
        return f"http://127.0.0.1:{self.port}"

    def queue(self, *replies: Reply) -> None:
        self._queue.extend(replies)

    def set_responder(self, fn: Responder | None) -> None:
        self._responder = fn

    def usage_total(self) -> dict[str, int]:
        keys = (
            "input_tokens",
            "output_tokens",
            "cache_creation_input_tokens",
            "cache_read_input_tokens",
        )
        totals = dict.fromkeys(keys, 0)
        for rec in self.requests:
            for key in keys:
                totals[key] += (rec.usage or {}).get(key, 0)
        return totals

    # The team's agreed signature; `timeout` is a plain bound on this one wait.
    async def wait_request(
        self,
        n: int = 1,
        timeout: float = 5,  # noqa: ASYNC109
    ) -> RecordedMessageRequest:
        """Wait until at least ``n`` message requests arrived; return the ``n``-th.

        Raises TimeoutError after ``timeout`` seconds.
        """
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: len(self.requests) >= n), timeout
                )
            except TimeoutError:
                raise TimeoutError(
                    f"expected {n} Anthropic requests within {timeout}s, got {len(self.requests)}"
                ) from None
        return self.requests[n - 1]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_post("/v1/messages/count_tokens", self._count_tokens)
        # handler_cancellation: a client that times out cancels the handler's sleep.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- handlers ---------------------------------------------------------------------------

    async def _record(
        self, request: web.Request, into: list[RecordedMessageRequest]
    ) -> tuple[RecordedMessageRequest, Any]:
        raw = await request.read()
        try:
            body: Any = json.loads(raw or b"null")
        except ValueError:
            body = None
        rec = RecordedMessageRequest(
            index=len(into),
            path=request.path,
            body=body if isinstance(body, dict) else {},
            headers={k.lower(): v for k, v in request.headers.items()},
            at=datetime.now(UTC),
        )
        into.append(rec)
        async with self._changed:
            self._changed.notify_all()
        return rec, body

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        rec, body = await self._record(request, self.requests)
        try:
            problem = _auth_problem(rec) or _validate(body, strict=self.strict_alternation)
            if problem is not None:
                return self._error(rec, problem[0], problem[1])
            reply = await self._next_reply(rec)
            rec.reply = reply
            await self._sleep(reply.first_byte_delay)
            if reply.status != 200:
                return self._error(rec, reply.status, reply.error_message, reply)
            message = self._build_message(rec, reply)
            if rec.stream:
                return await self._stream(request, rec, reply, message)
            rec.usage = dict(message["usage"])
            return self._json(rec, 200, message, reply)
        except asyncio.CancelledError:  # the client went away (handler_cancellation)
            rec.disconnected = True
            raise
        finally:
            rec.done.set()

    async def _count_tokens(self, request: web.Request) -> web.Response:
        rec, body = await self._record(request, self.count_tokens_requests)
        problem = _auth_problem(rec) or _validate(
            body, strict=self.strict_alternation, need_max_tokens=False
        )
        rec.done.set()
        if problem is not None:
            return self._error(rec, problem[0], problem[1])
        return self._json(rec, 200, {"input_tokens": _estimate_input(rec.body)})

    async def _next_reply(self, rec: RecordedMessageRequest) -> Reply:
        if self._queue:
            return self._queue.pop(0)
        if self._responder is not None:
            try:
                result = self._responder(rec)
                return await result if inspect.isawaitable(result) else result
            except Exception as exc:
                # A broken responder is a test bug: answer once, loudly, and never retried.
                message = f"fake responder raised {exc!r}"
                return Reply.error(500, error_message=message, should_retry=False)
        return _default_reply(rec)

    def _build_message(self, rec: RecordedMessageRequest, reply: Reply) -> dict[str, Any]:
        content: list[dict[str, Any]] = []
        text = reply.full_text()
        if text is None and reply.tool_use is None:
            text = DEFAULT_TEXT
        if text is not None:
            content.append({"type": "text", "text": text})
        if reply.tool_use is not None:
            content.append(
                {
                    "type": "tool_use",
                    "id": reply.tool_use.get("id") or f"toolu_fake{next(self._ids):014d}",
                    "name": reply.tool_use["name"],
                    "input": reply.tool_use.get("input", {}),
                }
            )
        out_size = len(text or "") + len(json.dumps(reply.tool_use or ""))
        return {
            "id": f"msg_fake{next(self._ids):016d}",
            "type": "message",
            "role": "assistant",
            "model": rec.body["model"],
            "content": content,
            "stop_reason": reply.stop_reason or ("tool_use" if reply.tool_use else "end_turn"),
            "stop_sequence": reply.stop_sequence,
            "usage": {
                "input_tokens": _or(reply.input_tokens, _estimate_input(rec.body)),
                "output_tokens": _or(reply.output_tokens, max(1, out_size // 4)),
                "cache_creation_input_tokens": reply.cache_creation_input_tokens,
                "cache_read_input_tokens": reply.cache_read_input_tokens,
            },
        }

    async def _stream(
        self,
        request: web.Request,
        rec: RecordedMessageRequest,
        reply: Reply,
        message: dict[str, Any],
    ) -> web.StreamResponse:
        resp = web.StreamResponse(status=200, headers=self._headers(rec, reply))
        resp.content_type = "text/event-stream"
        resp.headers["Cache-Control"] = "no-cache"
        await resp.prepare(request)
        rec.status = 200
        rec.response = message

        async def send(event: str, data: dict[str, Any]) -> None:
            frame = f"event: {event}\ndata: {json.dumps({'type': event, **data})}\n\n"
            await resp.write(frame.encode())
            rec.events.append(event)

        usage = message["usage"]
        start = {**message, "content": [], "stop_reason": None, "stop_sequence": None}
        start["usage"] = {**usage, "output_tokens": 1}
        deltas_sent = 0
        try:
            await send("message_start", {"message": start})
            await send("ping", {})
            for index, block in enumerate(message["content"]):
                empty = {**block, "text": ""} if block["type"] == "text" else {**block, "input": {}}
                await send("content_block_start", {"index": index, "content_block": empty})
                for delta in _deltas(block, reply):
                    if deltas_sent == reply.stream_error_after:
                        await self._stream_error(send, reply)
                        return resp
                    await self._sleep(reply.chunk_delay)
                    await send("content_block_delta", {"index": index, "delta": delta})
                    deltas_sent += 1
                await send("content_block_stop", {"index": index})
            if reply.stream_error_after is not None:  # more errors asked for than deltas
                await self._stream_error(send, reply)
                return resp
            stop = {
                "stop_reason": message["stop_reason"],
                "stop_sequence": message["stop_sequence"],
            }
            await send("message_delta", {"delta": stop, "usage": dict(usage)})
            rec.usage = dict(usage)
            await send("message_stop", {})
            await resp.write_eof()
        except ConnectionError:
            rec.disconnected = True
        return resp

    async def _stream_error(self, send: Callable[..., Awaitable[None]], reply: Reply) -> None:
        etype = reply.stream_error_type
        msg = reply.error_message or ERROR_MESSAGES.get(etype, etype)
        await send("error", {"error": {"type": etype, "message": msg}})

    def _headers(self, rec: RecordedMessageRequest, reply: Reply | None) -> dict[str, str]:
        headers = {"request-id": f"req_fake{rec.index:014d}"}
        if reply is not None:
            if reply.retry_after is not None:
                headers["retry-after"] = f"{reply.retry_after:g}"
            if reply.retry_after_ms is not None:
                headers["retry-after-ms"] = str(reply.retry_after_ms)
            if reply.should_retry is not None:
                headers["x-should-retry"] = "true" if reply.should_retry else "false"
        return headers

    def _json(
        self,
        rec: RecordedMessageRequest,
        status: int,
        payload: dict[str, Any],
        reply: Reply | None = None,
    ) -> web.Response:
        rec.status, rec.response = status, payload
        return web.Response(
            status=status,
            body=json.dumps(payload).encode(),
            content_type="application/json",
            headers=self._headers(rec, reply),
        )

    def _error(
        self,
        rec: RecordedMessageRequest,
        status: int,
        message: str | None,
        reply: Reply | None = None,
    ) -> web.Response:
        etype = (reply.error_type if reply else None) or ERROR_TYPES.get(status, "api_error")
        body = {
            "type": "error",
            "error": {"type": etype, "message": message or ERROR_MESSAGES.get(etype, etype)},
            "request_id": f"req_fake{rec.index:014d}",
        }
        return self._json(rec, status, body, reply)

    async def _sleep(self, seconds: float) -> None:
        if seconds > 0 and not self._closing.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), seconds)


# -- helpers ------------------------------------------------------------------------------


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text"
        )
    return ""


def _estimate_input(body: dict[str, Any]) -> int:
    """Roughly four characters a token, over everything that is prompt; deterministic."""
    prompt = {k: body.get(k) for k in ("system", "messages", "tools")}
    return max(1, len(json.dumps(prompt, sort_keys=True)) // 4)


def split_text(text: str) -> list[str]:
    """Split into deltas of roughly 8-20 characters, preferring to cut after a space."""
    pieces: list[str] = []
    while len(text) > 20:
        cut = text.rfind(" ", 8, 20)
        cut = 16 if cut < 0 else cut + 1
        pieces.append(text[:cut])
        text = text[cut:]
    if text:
        pieces.append(text)
    return pieces


def _deltas(block: dict[str, Any], reply: Reply) -> list[dict[str, Any]]:
    if block["type"] == "text":
        pieces = reply.chunks if reply.chunks is not None else split_text(block["text"])
        return [{"type": "text_delta", "text": p} for p in pieces]
    raw = json.dumps(block["input"])
    return [
        {"type": "input_json_delta", "partial_json": raw[i : i + 12]}
        for i in range(0, len(raw), 12)
    ]


def _placeholder(schema: Any) -> Any:
    """A minimal value satisfying the common parts of a JSON schema (type, enum, required)."""
    if not isinstance(schema, dict):
        return None
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: _placeholder(props.get(k)) for k in schema.get("required", [])}
    minimum = schema.get("minimum", 0)
    simple = {"string": "fake", "integer": int(minimum), "number": minimum, "boolean": False}
    return [] if kind == "array" else simple.get(str(kind))


def _default_reply(rec: RecordedMessageRequest) -> Reply:
    """Forced tool use (``any`` or ``tool``) gets a schema-shaped placeholder call."""
    choice = rec.tool_choice or {}
    if choice.get("type") in ("any", "tool"):
        wanted = choice.get("name", rec.tools[0]["name"])
        tool = next(t for t in rec.tools if t.get("name") == wanted)
        return Reply.tool(tool["name"], _placeholder(tool.get("input_schema")))
    return Reply(text=DEFAULT_TEXT)


def _auth_problem(rec: RecordedMessageRequest) -> tuple[int, str] | None:
    if rec.api_key is None:
        return 401, "x-api-key header is required"
    if "anthropic-version" not in rec.headers:
        return 400, "anthropic-version: header is required"
    return None


def _validate(body: Any, *, strict: bool, need_max_tokens: bool = True) -> tuple[int, str] | None:
    """The common request rules of the real API; returns (status, message) or None."""
    if not isinstance(body, dict):
        return 400, "The request body is not valid JSON."
    required = ("model", "max_tokens", "messages") if need_max_tokens else ("model", "messages")
    for name in required:
        if name not in body:
            return 400, f"{name}: Field required"
    max_tokens = body.get("max_tokens", 1)
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        return 400, "max_tokens: Input should be greater than or equal to 1"
    temperature = body.get("temperature")
    if temperature is not None and not (
        isinstance(temperature, int | float) and 0 <= temperature <= 1
    ):
        return 400, "temperature: Input should be between 0 and 1"
    return _validate_messages(body.get("messages"), strict) or _validate_tools(body)


def _validate_messages(messages: Any, strict: bool) -> tuple[int, str] | None:
    if not isinstance(messages, list) or not messages:
        return 400, "messages: at least one message is required"
    previous_tool_ids: set[str] = set()
    for i, msg in enumerate(messages):
        role = msg.get("role") if isinstance(msg, dict) else None
        if role not in ("user", "assistant"):
            return 400, f"messages.{i}.role: Input should be 'user' or 'assistant'"
        if strict and i == 0 and role != "user":
            return 400, 'messages: first message must use the "user" role'
        if strict and i > 0 and role == messages[i - 1].get("role"):
            return 400, 'messages: roles must alternate between "user" and "assistant"'
        content = msg.get("content")
        blocks = [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []
        last = i == len(messages) - 1
        if content in ("", [], None) and not (last and role == "assistant"):
            return 400, (
                f"messages.{i}: all messages must have non-empty content except for "
                "the optional final assistant message"
            )
        if last and role == "assistant" and _text_of(content) != _text_of(content).rstrip():
            return 400, "messages: final assistant content cannot end with trailing whitespace"
        results = {b.get("tool_use_id") for b in blocks if b.get("type") == "tool_result"}
        if unexpected := results - previous_tool_ids:
            return 400, (
                f"messages.{i}.content: unexpected `tool_use_id` found in `tool_result` blocks: "
                f"{', '.join(sorted(map(str, unexpected)))}. Each `tool_result` block must have "
                "a corresponding `tool_use` block in the previous message."
            )
        if previous_tool_ids - results:
            return 400, (
                f"messages.{i - 1}: `tool_use` ids were found without `tool_result` blocks "
                f"immediately after: {', '.join(sorted(previous_tool_ids - results))}"
            )
        previous_tool_ids = {str(b.get("id")) for b in blocks if b.get("type") == "tool_use"}
    return None


def _validate_tools(body: dict[str, Any]) -> tuple[int, str] | None:
    tools = body.get("tools") or []
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or "name" not in tool:
            return 400, f"tools.{i}.name: Field required"
        if "type" not in tool and "input_schema" not in tool:
            return 400, f"tools.{i}.custom.input_schema: Field required"
    choice = body.get("tool_choice")
    if choice is None:
        return None
    kind = choice.get("type") if isinstance(choice, dict) else None
    if kind not in ("auto", "any", "tool", "none"):
        return 400, "tool_choice: Input tag does not match any of the expected tags"
    names = {t["name"] for t in tools}
    if kind == "tool" and choice.get("name") not in names:
        return 400, f"tool_choice.name: tool {choice.get('name')!r} not found in tools"
    if kind in ("any", "tool") and not tools:
        return 400, "tool_choice: tools must be provided when tool_choice forces tool use"
    thinking = body.get("thinking")
    if kind in ("any", "tool") and isinstance(thinking, dict) and thinking.get("type") == "enabled":
        return 400, "Thinking may not be enabled when tool_choice forces tool use."
    return None
