"""The ``anthropic_fake`` fixture: a started :class:`FakeAnthropic`, closed after the test.

Import it into a conftest or plugin module to make it available::

    from tests.fakes.anthropic_fixtures import anthropic_fake  # noqa: F401
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.fakes.anthropic_server import FakeAnthropic


@pytest_asyncio.fixture
async def anthropic_fake() -> AsyncIterator[FakeAnthropic]:
    fake = FakeAnthropic()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()
