"""Shared fixtures: the loopback servers (tests/fakes) and a migrated database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.bank import QuestionBank
from bot.store import migrate
from bot.store.content import load_bank
from bot.store.engine import create_engine

pytest_plugins = ["tests.fakes.fixtures"]


@pytest.fixture
async def engine(tmp_path) -> AsyncIterator[AsyncEngine]:
    """A fresh SQLite file with every migration applied."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'studybot.sqlite3'}")
    await migrate.upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def bank() -> QuestionBank:
    """The shipped question bank (immutable, so one load serves every test)."""
    return load_bank()
