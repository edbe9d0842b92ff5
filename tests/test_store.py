"""The store: migrations create exactly the declared tables, with SQLite tuned."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from bot.store import migrate
from bot.store.engine import create_engine
from bot.store.tables import metadata


async def test_migrations_build_the_declared_schema(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db' / 'studybot.sqlite3'}")
    try:
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
            )
        assert diff == []
        # Running again is a no-op, as at every start.
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'studybot.sqlite3'}")
    try:
        async with engine.connect() as connection:
            journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
            foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
            busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar()
        assert (journal, foreign_keys) == ("wal", 1)
        assert busy is not None and busy >= 1000
    finally:
        await engine.dispose()
