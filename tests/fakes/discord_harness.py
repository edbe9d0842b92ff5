"""Running a real discord.py client against the fake for the length of a test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar

import discord

from tests.fakes.discord_server import FakeDiscord

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.asynccontextmanager
async def running_client(
    client: ClientT,
    fake: FakeDiscord,
    *,
    timeout: float = 5,  # noqa: ASYNC109
) -> AsyncIterator[ClientT]:
    """Log ``client`` in, connect it, wait for on_ready; close it (and its session) on exit.

    The fake's URLs must already be patched in (the ``discord_routes`` fixture). A failure of
    ``connect()`` before ready (say a KeyError in a gateway parser) is raised here, not hidden.
    """
    await client.login(fake.token)
    connect = asyncio.create_task(client.connect(reconnect=True), name="discord-connect")
    ready = asyncio.create_task(client.wait_until_ready(), name="discord-ready")
    try:
        done, _ = await asyncio.wait(
            {connect, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if connect in done:
            connect.result()
            raise AssertionError("client.connect() returned before the client was ready")
        if ready not in done:
            raise AssertionError(f"client not ready within {timeout}s: {fake.gateway_log}")
        yield client
    finally:
        ready.cancel()
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(connect, timeout)
