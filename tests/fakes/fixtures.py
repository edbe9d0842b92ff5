"""pytest fixtures for the loopback fakes (registered in tests/conftest.py).

Each fake's fixtures sit in their own section so more can be appended independently.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator

import pytest
import yarl

# discord.py 2.7 imports the stdlib ``audioop`` (voice), deprecated since Python 3.11; with
# ``filterwarnings = ["error"]`` that import would fail. This plugin loads before any test
# module, so importing discord here once, with only that warning ignored, settles it.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord
    from discord.gateway import DiscordWebSocket

from tests.fakes.discord_server import StudyGroupDiscord

# -- Discord ------------------------------------------------------------------------------------


@pytest.fixture
async def discord_fake() -> AsyncIterator[StudyGroupDiscord]:
    """A started fake Discord with guild "Study Group" (channel "study", alice, admin)."""
    fake = StudyGroupDiscord()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture
def discord_routes(
    discord_fake: StudyGroupDiscord, monkeypatch: pytest.MonkeyPatch
) -> StudyGroupDiscord:
    """``discord_fake``, with discord.py's REST base and gateway URL pointed at it."""
    monkeypatch.setattr(discord.http.Route, "BASE", discord_fake.api_base)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(discord_fake.gateway_url))
    return discord_fake


# -- Anthropic ----------------------------------------------------------------------------------

from tests.fakes.anthropic_fixtures import anthropic_fake  # noqa: E402, F401
