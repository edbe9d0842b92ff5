"""Claude as rubric grader: per-point judgement through forced tool use.

Claude judges each rubric point and must quote the answer for every point it
credits; Python drops invented quotes (:func:`keep_supported_evidence`) and adds
up the points (:func:`weighted_credit`), so the model does no arithmetic. The
member's text travels inside a tag with a per-call random name, and any answer
that earns full credit or carries instructions is graded a second time against
a deliberately wrong reference (see :func:`wrong_reference`).
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import TypeVar

import anthropic
from anthropic.types import Message, TextBlockParam, ToolChoiceToolParam, ToolParam

from bot.domain.errors import ContentError, InterviewerUnavailableError, InvalidInputError
from bot.domain.grading import (
    ANSWER_MAX_CHARS,
    INJECTION_CAP,
    Flag,
    Grade,
    PointResult,
    keep_supported_evidence,
    normalise_answer,
    weighted_credit,
)
from bot.domain.injection import find_instructions, strip_instructions
from bot.domain.questions import Kind, Question
from bot.llm.client import call_with_deadline
from bot.llm.usage import LlmUsage, UsageSink

log = logging.getLogger(__name__)
T = TypeVar("T")

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
FULL_CREDIT = 0.99  # at or above this, the answer is checked against the wrong reference
SUSPICIOUS_CREDIT = 0.5  # credit on both references at or above this is not trusted
MAX_TOKENS = 2000  # six points of quotes and rationale fit comfortably
QUOTES_PER_POINT, QUOTE_MAX, RATIONALE_MAX, FEEDBACK_MAX = 6, 400, 240, 600
CAPPED_FEEDBACK = (
    "Capped at half credit: the answer reads as written to sway the grader rather than "
    "to answer the question. Explain the idea in your own words."
)
IGNORED_NOTE = "Instructions to the grader were ignored."
EMPTY_FEEDBACK = "Too short to grade: explain your reasoning in a few sentences."

RECORD_GRADE: ToolParam = {
    "name": "record_grade",
    "description": "Record the grade of the member's answer, one entry per rubric point.",
    "input_schema": {
        "type": "object",
        "properties": {
            "points": {
                "type": "array",
                "description": "One entry per rubric point, in rubric order.",
                "items": {
                    "type": "object",
                    # Evidence first, then the reason, then the judgement: the model
                    # commits to quotes before it decides the credit.
                    "properties": {
                        "index": {"type": "integer", "minimum": 0},
                        "quotes": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "Exact quotes from the answer supporting this point.",
                        },
                        "rationale": {"type": "string", "description": "One line."},
                        "credit": {"type": "number", "minimum": 0, "maximum": 1},
                    },
                    "required": ["index", "quotes", "rationale", "credit"],
                },
            },
            "insufficient": {"type": "boolean"},
            "off_topic": {"type": "boolean"},
            "instructions_in_answer": {"type": "boolean"},
            "feedback": {"type": "string", "description": "At most three short sentences."},
        },
        "required": ["points", "insufficient", "off_topic", "instructions_in_answer", "feedback"],
    },
}
FORCE_RECORD_GRADE: ToolChoiceToolParam = {"type": "tool", "name": "record_grade"}

# Anything that looks like an opening or closing answer tag, however spelled.
_TAG = re.compile(r"<\s*/?\s*answer[^<>]*(?:>|$)", re.IGNORECASE)
_VERSION = re.compile(r"<!--\s*(\w+ v\d+)\s*-->")
_REMINDER_MARK = "<!-- reminder -->"


class _MalformedError(ValueError):
    """The tool input does not have the shape RECORD_GRADE promises."""


@dataclass(frozen=True)
class Reference:
    """What an answer is graded against: point texts (rubric order) and an explanation."""

    points: tuple[str, ...]
    explanation: str


@dataclass(frozen=True)
class _Verdict:
    points: tuple[PointResult, ...]
    credit: float
    flags: frozenset[Flag]
    feedback: str


def real_reference(question: Question) -> Reference:
    return Reference(tuple(p.point for p in question.rubric), question.explanation)


def wrong_reference(question: Question) -> Reference:
    """A deliberately wrong reference for ``question``: the check for gamed grades.

    Every rubric point keeps its index and weight but is turned into its negation
    ("argues that this is false: <point>"), and the explanation is presented as a
    common misconception the answer should refute. It reads as an ordinary rubric,
    so the grader is not told it is a check. A sound answer that earned full
    credit on the real reference argues *for* those points and earns little here;
    an answer that earns credit on both is credited for something other than its
    content, typically instructions aimed at the grader.
    """
    points = tuple(
        f"Argues that this is false and defends the opposite: {p}"
        for p in real_reference(question).points
    )
    explanation = (
        "The explanation below is a common misconception. A strong answer rejects it "
        f"and argues for the opposite position.\n\n{question.explanation}"
    )
    return Reference(points, explanation)


def prepare_answer(answer: str) -> tuple[str, bool]:
    """The member's text as it is sent: normalised, without answer-like tags.

    Returns (text, had_tags); text is "" when nothing gradable is left. Tags are
    removed until none is left, since removing one can join the halves of another.
    """
    text = _normalised(answer)
    untagged = text
    while (stripped := _TAG.sub(" ", untagged)) != untagged:
        untagged = stripped
    return _normalised(untagged), untagged != text


def _normalised(text: str) -> str:
    """:func:`normalise_answer`, but "" when nothing is left, and over-long text cut
    to the submission limit rather than refused: it was accepted once already."""
    for candidate in (text, text[:ANSWER_MAX_CHARS]):
        with contextlib.suppress(InvalidInputError):
            return normalise_answer(candidate)
    return ""


class ClaudeGrader:
    """Grades open answers with Claude (implements :class:`bot.domain.ports.OpenGrader`).

    Each grading is one call (two when the wrong-reference check runs), each
    bounded by ``deadline_s`` seconds including the SDK's retries. Usage of
    every call goes to ``usage_sink`` with purpose ``"grade"``.
    """

    def __init__(
        self,
        client: anthropic.AsyncAnthropic,
        model: str,
        *,
        usage_sink: UsageSink | None = None,
        prompts_dir: Path = PROMPTS_DIR,
        deadline_s: float = 45,
    ) -> None:
        self._client = client
        self._model = model
        self._usage_sink = usage_sink
        self._deadline_s = deadline_s
        self.prompt_version, self._system, self._reminder = _load_prompt(prompts_dir / "grader.md")

    async def grade(self, question: Question, answer: str) -> Grade:
        """Grade ``answer`` against ``question``'s rubric; credit in [0, 1].

        Raises InterviewerUnavailableError on any SDK error, on the deadline and
        on malformed tool output, so the caller can grade offline instead.
        """
        if question.kind is not Kind.OPEN:
            raise ValueError(f"{question.id} is not an open question")
        text, had_tags = prepare_answer(answer)
        if not text:
            return _empty_grade(question, had_tags)
        flags: set[Flag] = set()
        evidence_text = text
        if had_tags or find_instructions(text):
            flags.add(Flag.INSTRUCTIONS_IN_ANSWER)
            # Quotes from sentences that instruct the grader earn nothing.
            evidence_text = strip_instructions(text)
        real = await self._judge(question, real_reference(question), text, evidence_text)
        flags |= real.flags
        credit, feedback = real.credit, real.feedback
        if credit >= FULL_CREDIT or Flag.INSTRUCTIONS_IN_ANSWER in flags:
            check = await self._judge(question, wrong_reference(question), text, evidence_text)
            flags |= check.flags & {Flag.INSTRUCTIONS_IN_ANSWER}
            if credit >= SUSPICIOUS_CREDIT and check.credit >= SUSPICIOUS_CREDIT:
                credit = min(credit, INJECTION_CAP)
                flags.add(Flag.CAPPED)
                # The model's feedback may have been steered too; do not relay it.
                feedback = CAPPED_FEEDBACK
        if Flag.INSTRUCTIONS_IN_ANSWER in flags and Flag.CAPPED not in flags:
            feedback = f"{feedback}\n{IGNORED_NOTE}".strip()
        return Grade(
            credit=credit,
            grader="claude",
            feedback=feedback,
            points=real.points,
            flags=frozenset(flags),
        )

    async def _judge(
        self, question: Question, reference: Reference, text: str, evidence_text: str
    ) -> _Verdict:
        """One forced ``record_grade`` call against ``reference``, validated."""
        tag = f"answer-{secrets.token_hex(4)}"  # unguessable, so the text cannot close it
        system: list[TextBlockParam] = [
            {
                "type": "text",
                "text": self._render_system(question, reference),
                # Identical for every member answering this question: worth caching.
                "cache_control": {"type": "ephemeral"},
            }
        ]
        reminder = self._reminder.substitute(tag=tag).strip()
        message = await call_with_deadline(
            self._client.messages.create(
                model=self._model,
                max_tokens=MAX_TOKENS,
                system=system,
                messages=[{"role": "user", "content": f"<{tag}>\n{text}\n</{tag}>\n\n{reminder}"}],
                tools=[RECORD_GRADE],
                tool_choice=FORCE_RECORD_GRADE,
                extra_body={"temperature": 0},  # anthropic 2.14 has no temperature argument
            ),
            self._deadline_s,
        )
        await self._record_usage(message)
        try:
            return _parse(_tool_input(message), question, evidence_text)
        except _MalformedError as exc:
            log.warning("Claude returned a malformed grade for %s: %s", question.id, exc)
            raise InterviewerUnavailableError() from exc

    def _render_system(self, question: Question, reference: Reference) -> str:
        rubric = "\n".join(
            f"{i}. (weight {p.weight}) {text}"
            for i, (p, text) in enumerate(zip(question.rubric, reference.points, strict=True))
        )
        return self._system.substitute(
            question=question.prompt, rubric=rubric, reference=reference.explanation
        ).strip()

    async def _record_usage(self, message: Message) -> None:
        if self._usage_sink is None:
            return
        try:
            await self._usage_sink(LlmUsage.from_sdk("grade", message.model, message.usage))
        except Exception:
            # Losing a usage record must not lose the grade it paid for.
            log.exception("Recording LLM usage failed")


def _load_prompt(path: Path) -> tuple[str, Template, Template]:
    """(version, system template, reminder template) from a versioned prompt file."""
    first, _, body = path.read_text(encoding="utf-8").partition("\n")
    version = _VERSION.fullmatch(first.strip())
    system, mark, reminder = body.partition(_REMINDER_MARK)
    templates = Template(system), Template(reminder)
    if (
        version is None
        or not mark
        or set(templates[0].get_identifiers()) != {"question", "rubric", "reference"}
        or set(templates[1].get_identifiers()) != {"tag"}
    ):
        raise ContentError(f"{path.name} is not a valid grader prompt.")
    return version.group(1), *templates


def _tool_input(message: Message) -> object:
    for block in message.content:
        if block.type == "tool_use" and block.name == RECORD_GRADE["name"]:
            return block.input
    raise _MalformedError("no record_grade call in the reply")


def _parse(raw: object, question: Question, evidence_text: str) -> _Verdict:
    """Validate the tool input: wrong types raise, absent points get no credit."""
    if not isinstance(raw, dict) or not isinstance(raw.get("points"), list):
        raise _MalformedError("'points' is not a list")
    judged: dict[int, PointResult] = {}
    for item in raw["points"]:
        index, quotes, rationale, credit = _point_fields(item)
        if 0 <= index < len(question.rubric) and index not in judged:
            rubric_point = question.rubric[index]
            judged[index] = PointResult(
                rubric_point.point, rubric_point.weight, credit, quotes, rationale
            )
    points = tuple(
        judged.get(i, PointResult(p.point, p.weight, 0.0, (), "Not judged."))
        for i, p in enumerate(question.rubric)
    )
    points = keep_supported_evidence(points, evidence_text)
    flags = frozenset(
        flag
        for flag in (Flag.INSUFFICIENT, Flag.OFF_TOPIC, Flag.INSTRUCTIONS_IN_ANSWER)
        if _typed(raw, flag.value, bool, False)
    )
    feedback = " ".join(_typed(raw, "feedback", str, "").split())[:FEEDBACK_MAX]
    return _Verdict(points, weighted_credit(points), flags, feedback)


def _point_fields(item: object) -> tuple[int, tuple[str, ...], str, float]:
    if not isinstance(item, dict):
        raise _MalformedError("a point is not an object")
    index = item.get("index")
    if not isinstance(index, int) or isinstance(index, bool):
        raise _MalformedError("a point has no integer 'index'")
    quotes = _typed(item, "quotes", list, [])
    if not all(isinstance(q, str) for q in quotes):
        raise _MalformedError("'quotes' holds a non-string")
    credit = item.get("credit", 0.0)
    if not isinstance(credit, int | float) or isinstance(credit, bool) or not math.isfinite(credit):
        raise _MalformedError("'credit' is not a finite number")
    rationale = _typed(item, "rationale", str, "").strip().split("\n")[0][:RATIONALE_MAX]
    kept = tuple(q[:QUOTE_MAX] for q in quotes[:QUOTES_PER_POINT])
    return index, kept, rationale, min(max(float(credit), 0.0), 1.0)


def _typed(data: dict[str, object], key: str, kind: type[T], default: T) -> T:
    """``data[key]`` if it is a ``kind``, ``default`` if absent; raises on another type."""
    value = data.get(key, default)
    if not isinstance(value, kind):
        raise _MalformedError(f"{key!r} has the wrong type")
    return value


def _empty_grade(question: Question, had_tags: bool) -> Grade:
    """No gradable text is left: no call is made, and no credit given."""
    flags = {Flag.INSUFFICIENT} | ({Flag.INSTRUCTIONS_IN_ANSWER} if had_tags else set())
    points = tuple(PointResult(p.point, p.weight, 0.0) for p in question.rubric)
    return Grade(0.0, "claude", EMPTY_FEEDBACK, points, frozenset(flags))
