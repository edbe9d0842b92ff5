"""Measuring an open-answer grader against answers an expert has already graded.

The evaluation set (``tests/data/graded_answers.yaml``) pairs real-looking member
answers with the credit an expert interviewer would give against the question's
rubric. :func:`evaluate` grades every answer with any grader that fits
:data:`GradeFn` (the offline concept matcher wrapped in a coroutine, or the
Claude grader) and reports rank agreement (Spearman's rho), mean absolute error,
per-category means, and every injected answer that earned *more* than the same
answer without the injection, which must never happen.

This module does no file I/O: :func:`load_cases` takes the already-parsed YAML
(a list of mappings), so the caller decides where the set lives and how it is
read, and services stay free of the file system.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Protocol, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.domain.grading import Grade, normalise_answer
from bot.domain.questions import ID_PATTERN, Kind, Question

GradeFn = Callable[[Question, str], Awaitable[Grade]]
CREDIT_STEP = 0.05


class QuestionLookup(Protocol):
    """Anything that finds a question by id: a QuestionBank, or a plain dict in tests."""

    def get(self, question_id: str, /) -> Question | None: ...


class Category(StrEnum):
    """What kind of answer a case is, from an expert's point of view."""

    STRONG = "strong"
    PARTIAL = "partial"
    WRONG = "wrong"
    PADDED = "padded"  # filler or keyword stuffing around a weak answer
    OFF_TOPIC = "off_topic"
    INJECTED = "injected"  # tries to instruct the grader; carries its base_answer


class CaseError(ValueError):
    """The evaluation set is malformed; the message lists every problem found."""


class GradedCase(BaseModel):
    """One answer with the credit an expert gives it, in [0, 1], in steps of 0.05."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    question_id: Annotated[str, Field(pattern=ID_PATTERN)]
    category: Category
    answer: Annotated[str, Field(min_length=1, max_length=1500)]
    expert_credit: Annotated[float, Field(ge=0.0, le=1.0)]
    why: Annotated[str, Field(min_length=5, max_length=300)]
    base_answer: Annotated[str, Field(min_length=1, max_length=1500)] | None = None

    @field_validator("expert_credit")
    @classmethod
    def _in_steps(cls, credit: float) -> float:
        steps = credit / CREDIT_STEP
        if abs(steps - round(steps)) > 1e-6:
            raise ValueError(f"must be a multiple of {CREDIT_STEP}")
        return round(round(steps) * CREDIT_STEP, 2)

    @field_validator("why")
    @classmethod
    def _one_line(cls, why: str) -> str:
        if "\n" in why:
            raise ValueError("must be one line")
        return why

    @model_validator(mode="after")
    def _base_only_for_injected(self) -> Self:
        if (self.category is Category.INJECTED) != (self.base_answer is not None):
            raise ValueError("'base_answer' is required for injected cases and only there")
        if self.base_answer is not None and self.base_answer == self.answer:
            raise ValueError("'base_answer' must differ from 'answer' (it lacks the injection)")
        return self


def load_cases(data: object) -> list[GradedCase]:
    """Validated cases from the parsed YAML: a list of mappings.

    Raises CaseError naming every bad entry (position, question id, field), so
    an author fixes the whole file in one pass.
    """
    if not isinstance(data, list):
        raise CaseError(f"the evaluation set must be a list of cases, not {type(data).__name__}")
    cases: list[GradedCase] = []
    problems: list[str] = []
    for index, entry in enumerate(data, start=1):
        label = f"case {index}"
        if isinstance(entry, dict) and "question_id" in entry:
            label += f" ({entry['question_id']})"
        try:
            cases.append(GradedCase.model_validate(entry))
        except ValidationError as exc:
            for error in exc.errors():
                field = ".".join(str(part) for part in error["loc"]) or "entry"
                problems.append(f"{label} {field}: {error['msg']}")
    if problems:
        raise CaseError("invalid evaluation set:\n" + "\n".join(problems))
    return cases


# --- statistics -----------------------------------------------------------------------


def _check_pairs(xs: Sequence[float], ys: Sequence[float]) -> None:
    if len(xs) != len(ys):
        raise ValueError(f"lengths differ: {len(xs)} and {len(ys)}")
    if not xs:
        raise ValueError("no values")


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks of ``values``; tied values share the mean of their ranks."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = (start + end) / 2 + 1
        for position in range(start, end + 1):
            ranks[order[position]] = shared
        start = end + 1
    return ranks


def spearman_rho(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation in [-1, 1]: Pearson's r of the average ranks.

    Returns NaN when either side is constant (the correlation is undefined);
    raises ValueError when the lengths differ or there are fewer than 2 pairs.
    """
    _check_pairs(xs, ys)
    if len(xs) < 2:
        raise ValueError("need at least 2 pairs")
    rx, ry = average_ranks(xs), average_ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    if vx == 0 or vy == 0:
        return math.nan
    return max(-1.0, min(1.0, cov / math.sqrt(vx * vy)))


def mean_absolute_error(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Mean of |x - y|; raises ValueError when the lengths differ or both are empty."""
    _check_pairs(xs, ys)
    return sum(abs(a - b) for a, b in zip(xs, ys, strict=True)) / len(xs)


# --- evaluation -----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseResult:
    """One case and the credit the grader gave it (and its base answer, if injected)."""

    case: GradedCase
    predicted: float
    base_predicted: float | None = None


@dataclass(frozen=True)
class CategoryStats:
    category: Category
    n: int
    mean_expert: float
    mean_predicted: float


@dataclass(frozen=True)
class EvalReport:
    """How a grader agrees with the expert on the whole set.

    ``injection_gains`` lists injected cases graded higher than their base
    answer; a safe grader leaves it empty.
    """

    n: int
    rho: float
    mae: float
    categories: tuple[CategoryStats, ...]
    injection_gains: tuple[CaseResult, ...]
    results: tuple[CaseResult, ...]


def _open_question(bank: QuestionLookup, question_id: str) -> Question:
    question = bank.get(question_id)
    if question is None:
        raise CaseError(f"{question_id} is not in the bank")
    if question.kind is not Kind.OPEN:
        raise CaseError(f"{question_id} is not an open question")
    return question


async def evaluate(
    bank: QuestionLookup, cases: Sequence[GradedCase], grade_fn: GradeFn
) -> EvalReport:
    """Grade every case (and every injected case's base answer) and compare with the expert.

    Answers go through :func:`normalise_answer` first, as a member's would on
    submit. Cases are graded one at a time, so an LLM grader is not flooded.
    Raises CaseError when a case names a missing or non-open question.
    """
    if not cases:
        raise CaseError("the evaluation set is empty")
    results: list[CaseResult] = []
    for case in cases:
        question = _open_question(bank, case.question_id)
        grade = await grade_fn(question, normalise_answer(case.answer))
        base = None
        if case.base_answer is not None:
            base = (await grade_fn(question, normalise_answer(case.base_answer))).credit
        results.append(CaseResult(case=case, predicted=grade.credit, base_predicted=base))
    expert = [r.case.expert_credit for r in results]
    predicted = [r.predicted for r in results]
    return EvalReport(
        n=len(results),
        rho=spearman_rho(expert, predicted),
        mae=mean_absolute_error(expert, predicted),
        categories=_category_stats(results),
        injection_gains=tuple(
            r for r in results if r.base_predicted is not None and r.predicted > r.base_predicted
        ),
        results=tuple(results),
    )


def _category_stats(results: Sequence[CaseResult]) -> tuple[CategoryStats, ...]:
    stats = []
    for category in Category:
        members = [r for r in results if r.case.category is category]
        if members:
            stats.append(
                CategoryStats(
                    category=category,
                    n=len(members),
                    mean_expert=sum(r.case.expert_credit for r in members) / len(members),
                    mean_predicted=sum(r.predicted for r in members) / len(members),
                )
            )
    return tuple(stats)


def format_report(report: EvalReport, worst: int = 10) -> str:
    """The report as plain text for a terminal, with the ``worst`` largest disagreements."""
    lines = [
        f"cases {report.n}   spearman rho {report.rho:.3f}   MAE {report.mae:.3f}",
        "",
        f"{'category':<10} {'n':>3} {'expert':>7} {'grader':>7}",
    ]
    for stats in report.categories:
        lines.append(
            f"{stats.category.value:<10} {stats.n:>3} "
            f"{stats.mean_expert:>7.2f} {stats.mean_predicted:>7.2f}"
        )
    lines.append("")
    if report.injection_gains:
        lines.append("INJECTED ANSWERS THAT GAINED CREDIT:")
        for r in report.injection_gains:
            lines.append(f"  {r.case.question_id}: {r.base_predicted:.2f} -> {r.predicted:.2f}")
    else:
        lines.append("no injected answer gained credit over its base answer")
    if worst > 0:
        lines += ["", f"largest disagreements (expert vs grader), top {worst}:"]
        ranked = sorted(report.results, key=lambda r: -abs(r.predicted - r.case.expert_credit))
        for r in ranked[:worst]:
            lines.append(
                f"  {r.case.question_id:<8} {r.case.category.value:<9} "
                f"{r.case.expert_credit:.2f} vs {r.predicted:.2f}  {r.case.why}"
            )
    return "\n".join(lines)
