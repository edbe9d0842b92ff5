"""The loopback Anthropic fake, driven by the real ``anthropic.AsyncAnthropic`` client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import pytest
import pytest_asyncio
from anthropic.types import (
    MessageParam,
    TextBlockParam,
    ToolChoiceToolParam,
    ToolParam,
    ToolResultBlockParam,
    ToolUseBlockParam,
)

from tests.fakes.anthropic_server import FakeAnthropic, RecordedMessageRequest, Reply, split_text

MODEL = "claude-fake-1"
USER: list[MessageParam] = [{"role": "user", "content": "Explain dropout."}]
GRADE_TOOL: ToolParam = {
    "name": "record_grade",
    "description": "Record a grade.",
    "input_schema": {
        "type": "object",
        "properties": {"score": {"type": "integer", "minimum": 1}, "feedback": {"type": "string"}},
        "required": ["score", "feedback"],
    },
}
FORCE_GRADE: ToolChoiceToolParam = {"type": "tool", "name": "record_grade"}


@pytest_asyncio.fixture
async def client(anthropic_fake: FakeAnthropic) -> AsyncIterator[anthropic.AsyncAnthropic]:
    sdk = anthropic.AsyncAnthropic(
        api_key="sk-ant-test",
        base_url=anthropic_fake.base_url,
        max_retries=2,
        http_client=anthropic.DefaultAsyncHttpxClient(trust_env=False),
    )
    try:
        yield sdk
    finally:
        await sdk.close()


async def test_plain_create_returns_scripted_text_and_records_request(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    anthropic_fake.queue(Reply(text="Dropout zeroes activations.", input_tokens=42))

    # anthropic 2.14 has no `temperature` argument any more; it can only go as extra_body.
    message = await client.messages.create(
        model=MODEL, max_tokens=256, messages=USER, extra_body={"temperature": 0.2}
    )

    assert message.content[0].type == "text"
    assert message.content[0].text == "Dropout zeroes activations."
    assert message.model == MODEL
    assert message.stop_reason == "end_turn"
    assert message.id.startswith("msg_")
    assert message.usage.input_tokens == 42
    assert message.usage.output_tokens > 0
    (rec,) = anthropic_fake.requests
    assert rec.body["temperature"] == 0.2
    assert rec.api_key == "sk-ant-test"
    assert rec.retry_count == 0
    assert rec.status == 200
    assert rec.last_user_text == "Explain dropout."


async def test_default_reply_echoes_nothing(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    message = await client.messages.create(model=MODEL, max_tokens=64, messages=USER)

    assert message.content[0].type == "text"
    assert "dropout" not in message.content[0].text.lower()


async def test_stream_yields_reply_text_and_final_usage(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    text = "Dropout randomly zeroes activations during training to reduce co-adaptation."
    anthropic_fake.queue(Reply(text=text, output_tokens=17, cache_read_input_tokens=5))

    async with client.messages.stream(model=MODEL, max_tokens=256, messages=USER) as stream:
        pieces = [piece async for piece in stream.text_stream]
        final = await stream.get_final_message()

    assert "".join(pieces) == text
    assert len(pieces) > 1
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == 17
    assert final.usage.cache_read_input_tokens == 5
    rec = anthropic_fake.requests[0]
    assert rec.stream
    assert rec.events[0] == "message_start"
    assert rec.events[-1] == "message_stop"
    assert anthropic_fake.usage_total() == {
        "input_tokens": final.usage.input_tokens,
        "output_tokens": 17,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 5,
    }


async def test_stream_uses_explicit_chunks(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    anthropic_fake.queue(Reply(chunks=["Hel", "lo", "!"]))

    async with client.messages.stream(model=MODEL, max_tokens=16, messages=USER) as stream:
        pieces = [piece async for piece in stream.text_stream]

    assert pieces == ["Hel", "lo", "!"]


def test_split_text_keeps_text_and_small_pieces() -> None:
    text = "A fairly long sentence about gradient descent and learning-rate-schedules-ok."
    pieces = split_text(text)
    assert "".join(pieces) == text
    assert all(len(p) <= 20 for p in pieces)


async def test_forced_tool_use_non_streamed(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    anthropic_fake.queue(Reply.tool("record_grade", {"score": 7, "feedback": "Good."}))

    message = await client.messages.create(
        model=MODEL, max_tokens=256, messages=USER, tools=[GRADE_TOOL], tool_choice=FORCE_GRADE
    )

    assert message.stop_reason == "tool_use"
    block = message.content[0]
    assert block.type == "tool_use"
    assert block.name == "record_grade"
    assert block.input == {"score": 7, "feedback": "Good."}
    assert block.id.startswith("toolu_")
    assert anthropic_fake.requests[0].tool_choice == FORCE_GRADE


async def test_forced_tool_use_streamed(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    grade = {"score": 9, "feedback": "Clear explanation of the bias-variance trade-off."}
    anthropic_fake.queue(Reply.tool("record_grade", grade))

    async with client.messages.stream(
        model=MODEL, max_tokens=256, messages=USER, tools=[GRADE_TOOL], tool_choice=FORCE_GRADE
    ) as stream:
        final = await stream.get_final_message()

    (block,) = final.content
    assert block.type == "tool_use"
    assert block.input == grade
    assert final.stop_reason == "tool_use"
    assert anthropic_fake.requests[0].events.count("content_block_delta") > 1


async def test_default_reply_to_forced_tool_fills_schema(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    message = await client.messages.create(
        model=MODEL, max_tokens=256, messages=USER, tools=[GRADE_TOOL], tool_choice=FORCE_GRADE
    )

    block = message.content[0]
    assert block.type == "tool_use"
    assert block.input == {"score": 1, "feedback": "fake"}


async def test_overloaded_then_ok_is_retried(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    anthropic_fake.queue(Reply.error(529, retry_after_ms=10), Reply(text="after retry"))

    message = await client.messages.create(model=MODEL, max_tokens=64, messages=USER)

    assert message.content[0].type == "text"
    assert message.content[0].text == "after retry"
    first, second = anthropic_fake.requests
    assert first.status == 529
    assert first.response is not None
    assert first.response["error"]["type"] == "overloaded_error"
    assert second.headers["x-stainless-retry-count"] == "1"
    assert second.usage is not None
    assert anthropic_fake.usage_total()["output_tokens"] == second.usage["output_tokens"]


async def test_three_overloaded_exhaust_retries(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    anthropic_fake.queue(*[Reply.error(529, retry_after_ms=5) for _ in range(3)])

    with pytest.raises(anthropic.OverloadedError) as info:
        await client.messages.create(model=MODEL, max_tokens=64, messages=USER)

    assert len(anthropic_fake.requests) == 3
    assert isinstance(info.value.body, dict)
    assert info.value.body["error"]["type"] == "overloaded_error"
    assert anthropic_fake.usage_total()["output_tokens"] == 0


async def test_rate_limit_exhausts_retries(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    anthropic_fake.queue(*[Reply.error(429, retry_after=0.01) for _ in range(3)])

    with pytest.raises(anthropic.RateLimitError):
        await client.messages.create(model=MODEL, max_tokens=64, messages=USER)

    assert [r.status for r in anthropic_fake.requests] == [429, 429, 429]
    body = anthropic_fake.requests[0].response
    assert body is not None
    assert body["type"] == "error"
    assert body["error"]["type"] == "rate_limit_error"
    assert body["request_id"].startswith("req_")


async def test_should_retry_false_is_not_retried(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    anthropic_fake.queue(Reply.error(500, should_retry=False))

    with pytest.raises(anthropic.InternalServerError):
        await client.messages.create(model=MODEL, max_tokens=64, messages=USER)

    assert len(anthropic_fake.requests) == 1


async def test_error_mid_stream_keeps_partial_text_and_is_not_retried(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    anthropic_fake.queue(Reply(chunks=["one ", "two ", "three ", "four"], stream_error_after=2))
    received: list[str] = []

    with pytest.raises(anthropic.APIStatusError) as info:
        async with client.messages.stream(model=MODEL, max_tokens=64, messages=USER) as stream:
            async for piece in stream.text_stream:
                received.append(piece)

    assert received == ["one ", "two "]
    assert info.value.status_code == 200
    assert isinstance(info.value.body, dict)
    assert info.value.body["error"]["type"] == "overloaded_error"
    assert len(anthropic_fake.requests) == 1
    assert anthropic_fake.requests[0].events[-1] == "error"
    assert anthropic_fake.usage_total()["output_tokens"] == 0


async def test_first_byte_delay_times_out_the_client(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    anthropic_fake.queue(Reply(text="too late", first_byte_delay=2.0))
    impatient = client.with_options(timeout=0.2, max_retries=0)

    with pytest.raises(anthropic.APITimeoutError):
        await impatient.messages.create(model=MODEL, max_tokens=64, messages=USER)

    assert len(anthropic_fake.requests) == 1
    rec = anthropic_fake.requests[0]
    async with asyncio.timeout(2):
        await rec.done.wait()
    assert rec.disconnected
    assert rec.status is None


async def test_client_leaving_mid_stream_is_recorded(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    anthropic_fake.queue(Reply(chunks=["a", "b", "c", "d"], chunk_delay=0.05))

    async with client.messages.stream(model=MODEL, max_tokens=16, messages=USER) as stream:
        async for _ in stream.text_stream:
            break

    rec = anthropic_fake.requests[0]
    async with asyncio.timeout(2):
        await rec.done.wait()
    assert rec.disconnected
    assert "message_stop" not in rec.events
    assert anthropic_fake.usage_total()["output_tokens"] == 0


async def test_chunk_delay_paces_the_stream(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    anthropic_fake.queue(Reply(chunks=["a", "b", "c"], chunk_delay=0.05))
    loop = asyncio.get_running_loop()
    started = loop.time()

    async with client.messages.stream(model=MODEL, max_tokens=16, messages=USER) as stream:
        text = await stream.get_final_text()

    assert text == "abc"
    assert loop.time() - started >= 0.15


async def test_records_system_blocks_with_cache_control(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    system: list[TextBlockParam] = [
        {"type": "text", "text": "You are an interviewer.", "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "Be brief."},
    ]
    anthropic_fake.queue(Reply(text="ok", cache_creation_input_tokens=120))

    message = await client.messages.create(model=MODEL, max_tokens=64, system=system, messages=USER)

    rec = anthropic_fake.requests[0]
    assert rec.system == system
    assert rec.system[0]["cache_control"] == {"type": "ephemeral"}
    assert rec.system_text == "You are an interviewer.Be brief."
    assert message.usage.cache_creation_input_tokens == 120
    assert anthropic_fake.usage_total()["cache_creation_input_tokens"] == 120


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        (
            {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]},
            "alternate",
        ),
        ({"messages": [{"role": "assistant", "content": "a"}]}, "first message"),
        ({"messages": []}, "at least one message"),
        ({"messages": USER, "extra_body": {"temperature": 1.5}}, "temperature"),
        (
            {"messages": USER, "tools": [GRADE_TOOL], "tool_choice": {"type": "tool", "name": "x"}},
            "x",
        ),
        (
            {
                "messages": [
                    *USER,
                    {
                        "role": "assistant",
                        "content": [
                            {
                                "type": "tool_use",
                                "id": "toolu_1",
                                "name": "record_grade",
                                "input": {},
                            }
                        ],
                    },
                    {"role": "user", "content": "no result"},
                ]
            },
            "toolu_1",
        ),
    ],
)
async def test_invalid_requests_are_rejected(
    anthropic_fake: FakeAnthropic,
    client: anthropic.AsyncAnthropic,
    kwargs: dict[str, Any],
    fragment: str,
) -> None:
    anthropic_fake.queue(Reply(text="unused"))

    with pytest.raises(anthropic.BadRequestError) as info:
        await client.messages.create(model=MODEL, max_tokens=64, **kwargs)

    assert isinstance(info.value.body, dict)
    assert info.value.body["type"] == "error"
    assert info.value.body["error"]["type"] == "invalid_request_error"
    assert fragment in info.value.body["error"]["message"]
    assert info.value.body["request_id"].startswith("req_")
    assert len(anthropic_fake.requests) == 1  # 400 is not retried
    assert len(anthropic_fake._queue) == 1  # the scripted reply is left for the next request


async def test_tool_result_round_trip_is_accepted(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    tool_use: ToolUseBlockParam = {
        "type": "tool_use",
        "id": "toolu_9",
        "name": "record_grade",
        "input": {},
    }
    result: ToolResultBlockParam = {
        "type": "tool_result",
        "tool_use_id": "toolu_9",
        "content": "saved",
    }
    messages: list[MessageParam] = [
        *USER,
        {"role": "assistant", "content": [tool_use]},
        {"role": "user", "content": [result]},
    ]

    message = await client.messages.create(
        model=MODEL, max_tokens=64, messages=messages, tools=[GRADE_TOOL]
    )

    assert message.stop_reason == "end_turn"


async def test_responder_and_wait_request(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    async def respond(rec: RecordedMessageRequest) -> Reply:
        return Reply(text=f"turn {len(rec.messages)}")

    anthropic_fake.set_responder(respond)
    task = asyncio.create_task(client.messages.create(model=MODEL, max_tokens=64, messages=USER))

    rec = await anthropic_fake.wait_request(1, timeout=2)
    message = await task

    assert rec.model == MODEL
    assert message.content[0].type == "text"
    assert message.content[0].text == "turn 1"
    with pytest.raises(TimeoutError):
        await anthropic_fake.wait_request(2, timeout=0.05)


async def test_count_tokens(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    counted = await client.messages.count_tokens(model=MODEL, messages=USER)

    assert counted.input_tokens > 0
    assert len(anthropic_fake.count_tokens_requests) == 1
    assert anthropic_fake.requests == []


async def test_broken_responder_fails_fast(
    anthropic_fake: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    def respond(rec: RecordedMessageRequest) -> Reply:
        raise LookupError("no script for this prompt")

    anthropic_fake.set_responder(respond)

    with pytest.raises(anthropic.InternalServerError) as info:
        await client.messages.create(model=MODEL, max_tokens=64, messages=USER)

    assert "no script" in str(info.value)
    assert len(anthropic_fake.requests) == 1
