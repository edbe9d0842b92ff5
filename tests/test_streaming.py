"""The streaming renderer: coalesced edits, a shared budget, exact final text."""

from __future__ import annotations

import asyncio
import contextlib

import discord

from bot.discord_ui.streaming import INTERRUPTED, EditBudget, StreamRenderer
from bot.domain.message_split import TARGET, join_parts


class FakeWriter:
    """Records writes like a thread would; each write can take ``delay`` seconds."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.messages: dict[int, str] = {}
        self.views: dict[int, object] = {}
        self.log: list[tuple[str, int, float]] = []
        self.typing_until: float | None = None
        self.typing_started = False

    async def post(self, content, view):
        await asyncio.sleep(self.delay)
        message_id = len(self.messages) + 1
        self.messages[message_id] = content
        self.views[message_id] = view
        self.log.append(("post", message_id, asyncio.get_running_loop().time()))
        return message_id

    async def edit(self, message_id, content, view):
        await asyncio.sleep(self.delay)
        self.messages[message_id] = content
        if view is not None:
            self.views[message_id] = view
        self.log.append(("edit", message_id, asyncio.get_running_loop().time()))

    @contextlib.asynccontextmanager
    async def typing(self):
        self.typing_started = True
        try:
            yield None
        finally:
            self.typing_until = asyncio.get_running_loop().time()

    def text(self) -> str:
        return join_parts([self.messages[i] for i in sorted(self.messages)])


async def feed(renderer, text, pieces=100, delay=0.0):
    size = max(1, len(text) // pieces)
    sent = ""
    for start in range(0, len(text), size):
        sent += text[start : start + size]
        renderer.update(sent)
        await asyncio.sleep(delay)
    return sent


async def test_edits_are_coalesced_to_one_per_interval_and_the_final_text_is_exact():
    writer = FakeWriter()
    renderer = StreamRenderer(writer, EditBudget(rate=100, burst=10), interval=0.1)
    await renderer.start()
    text = "word " * 300
    await feed(renderer, text, pieces=50, delay=0.01)  # about half a second of stream
    await renderer.finish()
    assert writer.text() == text
    assert writer.typing_started and writer.typing_until is not None
    assert 2 <= len(writer.log) <= 9  # 50 updates, a handful of writes


async def test_a_slow_discord_never_stalls_reading_the_stream():
    writer = FakeWriter(delay=0.3)
    renderer = StreamRenderer(writer, EditBudget(rate=100, burst=10), interval=0.05)
    await renderer.start()
    loop = asyncio.get_running_loop()
    began = loop.time()
    text = await feed(renderer, "token " * 500, pieces=200)
    assert loop.time() - began < 0.1  # reading finished while the first write was in flight
    await renderer.finish()
    assert writer.text() == text


async def test_long_replies_continue_in_new_messages_with_fences_repaired():
    writer = FakeWriter()
    renderer = StreamRenderer(writer, EditBudget(rate=100, burst=10), interval=0.02)
    await renderer.start()
    code = "\n".join(f"total += values[{i}]  # accumulate" for i in range(150))
    text = "Here is one way:\n\n```python\n" + code + "\n```\n\nThat runs in O(n)."
    await feed(renderer, text, pieces=40, delay=0.005)
    await renderer.finish()
    contents = [writer.messages[i] for i in sorted(writer.messages)]
    assert len(contents) >= 2
    assert all(len(c) <= TARGET for c in contents)
    assert contents[1].startswith("```python\n")
    assert writer.text() == text


async def test_one_budget_bounds_the_writes_of_every_thread_together():
    budget = EditBudget(rate=20, burst=2)
    writers = [FakeWriter() for _ in range(5)]
    renderers = [StreamRenderer(w, budget, interval=0.01) for w in writers]
    loop = asyncio.get_running_loop()
    began = loop.time()
    for renderer in renderers:
        await renderer.start()
    texts = await asyncio.gather(*(feed(r, "abc " * 200, pieces=30, delay=0.01) for r in renderers))
    await asyncio.gather(*(r.finish() for r in renderers))
    elapsed = loop.time() - began
    assert budget.granted <= 2 + 20 * elapsed + 1
    for writer, text in zip(writers, texts, strict=True):
        assert writer.text() == text


async def test_an_interrupted_turn_keeps_its_text_and_gets_the_view():
    writer = FakeWriter()
    renderer = StreamRenderer(writer, EditBudget(rate=100, burst=10), interval=0.05)
    await renderer.start()
    renderer.update("Half an answ")
    view = discord.ui.View()
    await renderer.finish(suffix=INTERRUPTED, view=view)
    assert writer.messages[1] == "Half an answ" + INTERRUPTED
    assert writer.views[1] is view


async def test_nothing_is_posted_for_an_empty_reply():
    writer = FakeWriter()
    renderer = StreamRenderer(writer, EditBudget(), interval=0.05)
    await renderer.start()
    await renderer.finish()
    assert writer.messages == {}
