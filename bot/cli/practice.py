"""``studybot practice``: today's question, answered and graded in a terminal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.domain.errors import StudybotError
from bot.domain.questions import OPTION_LETTERS, Kind, Question
from bot.domain.taxonomy import Taxonomy
from bot.services.practice import PracticeResult, PracticeService, TerminalPublisher

LETTERS = OPTION_LETTERS
ReadLine = Callable[[], Awaitable[str | None]]
Write = Callable[[str], None]


def format_question(question: Question, taxonomy: Taxonomy, cohort_day: int) -> str:
    topic = taxonomy.topic(question.topic)
    lines = [
        f"Plan day {cohort_day} · {taxonomy.round_name(question.round)} · "
        f"{topic.name if topic else question.topic} · difficulty {question.difficulty}",
        "",
        question.prompt.strip(),
        "",
    ]
    if question.kind is Kind.CHOICE:
        lines += [f"  {LETTERS[i]}. {option.text}" for i, option in enumerate(question.options)]
        lines += ["", f"Your answer ({'/'.join(LETTERS[: len(question.options)])}):"]
    else:
        lines += ["Your answer (finish with an empty line):"]
    return "\n".join(lines)


async def _read_choice(question: Question, read_line: ReadLine, write: Write) -> int | None:
    while True:
        line = await read_line()
        if line is None:
            return None
        letter = line.strip().upper()[:1]
        if letter and letter in LETTERS[: len(question.options)]:
            return LETTERS.index(letter)
        write(f"Type one of {', '.join(LETTERS[: len(question.options)])}.")


async def _read_text(read_line: ReadLine) -> str | None:
    lines: list[str] = []
    while True:
        line = await read_line()
        if line is None or (not line.strip() and lines):
            break
        if line.strip():
            lines.append(line.rstrip())
    return "\n".join(lines) if lines else None


def format_result(practice: PracticeResult) -> str:
    result = practice.result
    lines = ["", f"Credit: {(result.credit or 0):.0%} · points: {practice.points:g}"]
    if result.feedback:
        lines.append(result.feedback)
    lines.append(
        f"Streak: {practice.streak.current} day(s) (best {practice.streak.best})"
        + (" · a freeze is ready" if practice.streak.freezes else "")
    )
    return "\n".join(lines)


async def run_practice(
    service: PracticeService,
    taxonomy: Taxonomy,
    *,
    user_id: int,
    timezone: str,
    read_line: ReadLine,
    write: Write,
) -> int:
    """Run today's question; returns a process exit code."""
    publisher = TerminalPublisher(write)
    try:
        posting, question = await service.todays_question(publisher, timezone)
        write(format_question(question, taxonomy, posting.cohort_day))
        if question.kind is Kind.CHOICE:
            choice = await _read_choice(question, read_line, write)
            if choice is None:
                return 1
            await service.answer(posting, user_id, choice=choice)
        else:
            text = await _read_text(read_line)
            if text is None:
                write("No answer given; nothing was recorded.")
                return 1
            await service.answer(posting, user_id, text=text)
        write("Recorded. Grading…")
        write(format_result(await service.reveal(posting, user_id, publisher)))
    except StudybotError as error:
        write(error.user_message)
        return 1
    return 0
