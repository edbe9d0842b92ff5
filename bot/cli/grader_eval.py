"""``studybot grader eval``: how well the graders agree with expert credit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import yaml

from bot.domain.bank import QuestionBank
from bot.domain.grading import Grade, grade_open_offline
from bot.domain.ports import OpenGrader
from bot.domain.questions import Question
from bot.services.grader_eval import evaluate, format_report, load_cases

Write = Callable[[str], None]


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


async def _offline(question: Question, answer: str) -> Grade:
    return grade_open_offline(question, answer)


async def run_grader_eval(
    bank: QuestionBank, cases_path: Path, write: Write, llm_grader: OpenGrader | None = None
) -> int:
    """Print the offline grader's agreement, and the LLM grader's when one is given."""
    text = await asyncio.to_thread(_read, cases_path)
    if text is None:
        write(f"No graded answers at {cases_path}.")
        return 1
    cases = load_cases(yaml.safe_load(text))
    graders: list[tuple[str, Callable[[Question, str], Awaitable[Grade]]]] = [("offline", _offline)]
    if llm_grader is not None:
        graders.append(("claude", llm_grader.grade))
    for name, grade in graders:
        report = await evaluate(bank, cases, grade)
        write(f"== {name} grader ==\n{format_report(report)}\n")
    return 0
