"""The ``record_grade`` tool Claude must call, and validation of what it sends back."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeVar

from anthropic.types import Message, ToolChoiceToolParam, ToolParam

from bot.domain.grading import Flag, PointResult, keep_supported_evidence, weighted_credit
from bot.domain.questions import Question

T = TypeVar("T")

QUOTES_PER_POINT, QUOTE_MAX, RATIONALE_MAX, FEEDBACK_MAX = 6, 400, 240, 600

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


class _MalformedError(ValueError):
    """The tool input does not have the shape RECORD_GRADE promises."""


@dataclass(frozen=True)
class _Verdict:
    points: tuple[PointResult, ...]
    credit: float
    flags: frozenset[Flag]
    feedback: str


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
