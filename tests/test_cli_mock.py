"""The terminal mock driver, fed scripted lines, over the real service and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

import pytest

from bot.cli.mock import run_terminal_mock
from bot.domain.debrief import Debrief
from bot.domain.errors import InvalidInputError
from bot.domain.interview import SessionStatus, TurnKind
from bot.llm.offline_interviewer import OfflineInterviewer
from bot.services.mock import MockService
from bot.store import migrate
from bot.store.content import load_bank
from bot.store.engine import create_engine
from bot.store.interviews import SqlInterviewRepository


@cache
def bank():
    return load_bank()


class StepClock:
    """Moves three minutes each time a line is read, like a candidate typing."""

    def __init__(self) -> None:
        self.value = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.value


@pytest.fixture
async def setup(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'studybot.sqlite3'}")
    await migrate.upgrade(engine)
    clock = StepClock()
    repository = SqlInterviewRepository(engine)
    interviewer = OfflineInterviewer(bank(), bank().taxonomy, seed="cli")
    yield MockService(repository, interviewer, clock), clock
    await engine.dispose()


async def drive(
    setup: tuple[MockService, StepClock],
    lines: list[str],
    *,
    round: str = "behavioral",
    minutes: int = 30,
    mode: str = "practice",
    echo: bool = False,
) -> tuple[Debrief, str, MockService]:
    service, clock = setup
    script = iter(lines)
    output: list[str] = []

    async def read_line() -> str | None:
        clock.value += timedelta(minutes=3)
        return next(script, None)

    debrief = await run_terminal_mock(
        service, guild_id=1, user_id=2, round=round, track=None, minutes=minutes, mode=mode,
        read_line=read_line, write=output.append, taxonomy=bank().taxonomy, echo=echo,
    )  # fmt: skip
    return debrief, "".join(output), service


async def test_a_whole_mock_streams_hints_and_ends_with_the_printed_debrief(setup):
    lines = [
        "At my company the support team triaged tickets by hand, and I owned the goal of "
        "cutting response time.",
        "/hint",
        "",
        "I decided to build a baseline first and deployed it; time fell 30% and I learned a lot.",
        "/end",
        "never read",
    ]
    debrief, output, service = await drive(setup, lines)
    assert output.startswith("interviewer> Hi")
    assert output.count("interviewer> ") == 4  # opening, two replies and one hint
    assert "empty" in output  # the empty line was refused, and the mock went on
    assert "cutting response time" not in output  # a terminal shows typed lines already
    assert f"Overall: {debrief.overall}/100" in output
    assert "Hints used: nudge" in output
    session = await service.get(1)
    assert session.status is SessionStatus.ENDED and session.score == debrief.overall
    assert [t.kind for t in session.turns].count(TurnKind.HINT_REQUEST) == 1
    assert not any(t.content == "never read" for t in session.turns)


async def test_end_of_input_ends_the_mock(setup):
    debrief, output, service = await drive(setup, [], round="coding", mode="real")
    assert "Overall: 0/100" in output and debrief.overall == 0
    assert (await service.get(1)).status is SessionStatus.ENDED


async def test_time_up_wraps_up_and_ends_without_asking_again(setup):
    lines = ["an answer of some words"] * 20
    debrief, output, service = await drive(setup, lines, round="case-study", minutes=10)
    session = await service.get(1)
    assert session.turns[-1].kind is TurnKind.WRAP_UP
    assert sum(t.kind is TurnKind.WARNING for t in session.turns) == 1
    assert output.count("you> ") == 4  # 3, 6, 9 and 12 minutes: the last one is past time
    assert f"Overall: {debrief.overall}/100" in output


async def test_echo_shows_the_candidates_lines(setup):
    _, output, _ = await drive(setup, ["My answer, in a sentence or two."], echo=True)
    assert "you> My answer, in a sentence or two.\n" in output


async def test_a_bad_start_raises_before_anything_is_stored(setup):
    with pytest.raises(InvalidInputError):
        await drive(setup, [], round="poetry")
    assert await setup[0].active_for(1, 2) is None
