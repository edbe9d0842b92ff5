"""Charts: valid PNGs of the expected size, rendered off the event loop, Agg only."""

from __future__ import annotations

import asyncio
import struct
from dataclasses import replace

import matplotlib

from bot.charts.progress import (
    BOARD_WIDTH,
    PROGRESS_SIZE,
    RECAP_SIZE,
    leaderboard_image,
    progress_chart,
    recap_chart,
)
from bot.domain.progress import Period
from bot.services.recap import WeeklyRecapService
from bot.store.guilds import SqlGuildRepository
from bot.store.progress import SqlProgressRepository
from tests.test_progress_store import (
    ALICE,
    GUILD,
    START,
    build_services,
    seed_history,
)

PNG = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG) and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_matplotlib_runs_on_agg():
    assert matplotlib.get_backend().lower() == "agg"


async def test_progress_chart_is_a_png_of_the_expected_size(engine, bank):
    await seed_history(engine)
    progress, _, _ = build_services(engine, bank)
    p = await progress.progress(GUILD, ALICE, ALICE)

    data = await asyncio.to_thread(progress_chart, p)

    assert png_size(data) == PROGRESS_SIZE
    assert len(data) > 10_000  # bars, a line and text, not an empty card


async def test_an_empty_history_still_renders(engine, bank):
    await seed_history(engine)
    progress, _, _ = build_services(engine, bank)
    p = await progress.progress(GUILD, 999, 999)
    data = progress_chart(replace(p, display_name="newcomer"))
    assert png_size(data) == PROGRESS_SIZE


async def test_leaderboard_and_recap_images(engine, bank):
    await seed_history(engine)
    _, leaderboard, _ = build_services(engine, bank)
    board = await leaderboard.board(GUILD, ALICE, period=Period.ALL)
    width, height = png_size(leaderboard_image(board))
    assert width == BOARD_WIDTH and height > 200
    recap = await WeeklyRecapService(
        bank, SqlProgressRepository(engine), SqlGuildRepository(engine)
    ).build(GUILD, START)
    assert png_size(recap_chart(recap)) == RECAP_SIZE
