"""A mock interview in the terminal: the same service the Discord cog uses.

Useful for rehearsing without Discord and for seeing exactly what a member
would: the interviewer's text streams as it arrives, ``/hint`` asks for the
next hint tier, ``/end`` (or end of input) closes the mock with its debrief.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from bot.domain.debrief import Debrief, render_debrief
from bot.domain.errors import StudybotError
from bot.domain.interview import TurnKind
from bot.domain.taxonomy import Taxonomy
from bot.services.mock import MockService

END_COMMAND = "/end"
HINT_COMMAND = "/hint"
PROMPT = "you> "


async def _print_stream(stream: AsyncIterator[str], write: Callable[[str], None]) -> None:
    """Write chunks as they arrive; the label waits for the first, so errors print cleanly."""
    started = False
    async for chunk in stream:
        if not started:
            write("interviewer> ")
            started = True
        write(chunk)
    write("\n\n")


async def _wrapped_up(service: MockService, session_id: int) -> bool:
    turns = (await service.get(session_id)).turns
    return any(turn.kind is TurnKind.WRAP_UP for turn in turns)


async def run_terminal_mock(
    service: MockService,
    *,
    guild_id: int,
    user_id: int,
    round: str,
    track: str | None,
    minutes: int,
    mode: str,
    read_line: Callable[[], Awaitable[str | None]],
    write: Callable[[str], None],
    taxonomy: Taxonomy | None = None,
    echo: bool = False,
) -> Debrief:
    """Run one mock to its debrief; returns the debrief it printed.

    A member's mistake (an empty message, a hint past the last tier) is shown
    as its ``user_message`` and the interview goes on. Errors starting the mock
    propagate, since there is no interview to continue. ``echo`` writes each line
    read back out, for scripted input that a terminal would not have shown.
    """
    session, opening = await service.start(guild_id, user_id, round, track, minutes, mode)
    write(f"interviewer> {opening}\n\n")
    while True:
        write(PROMPT)
        line = await read_line()
        write(line + "\n\n" if echo and line is not None else "\n" if line is None else "")
        if line is None or line.strip().lower() == END_COMMAND:
            break
        if line.strip().lower() == HINT_COMMAND:
            stream = service.hint(session.id)
        else:
            stream = service.answer(session.id, line)
        try:
            await _print_stream(stream, write)
        except StudybotError as error:
            write(f"{error.user_message}\n\n")
        if await _wrapped_up(service, session.id):
            break
    debrief = await service.end(session.id)
    write(render_debrief(debrief, taxonomy) + "\n")
    return debrief
