"""The debrief that closes a mock: scores per dimension and what to study next.

Whoever writes the debrief (Claude or the offline interviewer) supplies only
1-5 scores per dimension and the words; the 0-100 ``overall`` is computed here
from those scores and the hints used, so no model can talk its way to a number.
``overall`` is a computed field: a stored debrief carries it for readers, and
any ``overall`` handed in from outside is ignored on load.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)

from bot.domain.grading import Grade
from bot.domain.injection import strip_instructions
from bot.domain.interview import HintTier
from bot.domain.questions import TOPIC_PATTERN, Question, Round, StarPart, Track
from bot.domain.taxonomy import Taxonomy

MAX_ITEMS = 5
ITEM_MAX_CHARS = 300

Graded = tuple[Question, Grade, Sequence[str]]  # a question, its grade, the answers graded


class Dimension(StrEnum):
    CORRECTNESS = "correctness"
    DEPTH = "depth"
    COMMUNICATION = "communication"
    STRUCTURE = "structure"
    STAR = "star_completeness"


def dimensions_for(round_: Round) -> tuple[Dimension, ...]:
    """What a round is scored on: behavioral swaps correctness for STAR completeness."""
    first = Dimension.STAR if round_ is Round.BEHAVIORAL else Dimension.CORRECTNESS
    return (first, Dimension.DEPTH, Dimension.COMMUNICATION, Dimension.STRUCTURE)


class DimensionScore(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    dimension: Dimension
    score: Annotated[int, Field(ge=1, le=5)]
    note: Annotated[str, Field(max_length=ITEM_MAX_CHARS)] = ""


Item = Annotated[str, Field(min_length=3, max_length=ITEM_MAX_CHARS)]


class Debrief(BaseModel):
    """A mock's debrief. Validate with ``context={"taxonomy": ...}`` to check topics."""

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)

    round: Round
    track: Track | None = None
    dimensions: tuple[DimensionScore, ...]
    hint_tiers: tuple[HintTier, ...] = ()
    strengths: Annotated[tuple[Item, ...], Field(max_length=MAX_ITEMS)] = ()
    improvements: Annotated[tuple[Item, ...], Field(max_length=MAX_ITEMS)] = ()
    recommended_topics: Annotated[
        tuple[Annotated[str, Field(pattern=TOPIC_PATTERN)], ...], Field(max_length=MAX_ITEMS)
    ] = ()
    offline: bool = False

    @field_validator("recommended_topics")
    @classmethod
    def _known_topics(cls, topics: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        taxonomy = (info.context or {}).get("taxonomy")
        if isinstance(taxonomy, Taxonomy):
            known = {topic.id for topic in taxonomy.topics()}
            unknown = [topic for topic in topics if topic not in known]
            if unknown:
                raise ValueError(f"not taxonomy ids: {', '.join(unknown)}")
        return tuple(dict.fromkeys(topics))

    @model_validator(mode="after")
    def _round_dimensions(self) -> Self:
        wanted = dimensions_for(self.round)
        given = [score.dimension for score in self.dimensions]
        if sorted(given) != sorted(wanted):
            raise ValueError(f"score exactly these dimensions: {', '.join(wanted)}")
        return self

    @property
    def hint_penalty(self) -> int:
        return sum(tier.cost for tier in self.hint_tiers)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def overall(self) -> int:
        """0-100: the mean dimension score mapped from 1-5, less the hint penalty."""
        mean = sum(score.score for score in self.dimensions) / len(self.dimensions)
        base = round((mean - 1) / 4 * 100)
        return max(0, min(100, base - self.hint_penalty))

    def score(self, dimension: Dimension) -> int | None:
        return next((s.score for s in self.dimensions if s.dimension is dimension), None)


def parse_debrief(data: object, taxonomy: Taxonomy) -> Debrief:
    """A debrief from untrusted data (a model's output, a stored JSON), topics checked."""
    if isinstance(data, str | bytes):
        return Debrief.model_validate_json(data, context={"taxonomy": taxonomy})
    return Debrief.model_validate(data, context={"taxonomy": taxonomy})


_LABELS = {
    Dimension.CORRECTNESS: "Correctness",
    Dimension.DEPTH: "Depth",
    Dimension.COMMUNICATION: "Communication",
    Dimension.STRUCTURE: "Structure",
    Dimension.STAR: "STAR completeness",
}


def render_debrief(debrief: Debrief, taxonomy: Taxonomy | None = None) -> str:
    """Plain text for the terminal: scores first, then what to keep and what to fix."""
    title = debrief.round.value + (f" / {debrief.track.value}" if debrief.track else "")
    lines = [f"Debrief: {title} mock" + (" (offline interviewer)" if debrief.offline else "")]
    lines.append(f"Overall: {debrief.overall}/100")
    for score in debrief.dimensions:
        note = f"  {score.note}" if score.note else ""
        lines.append(f"  {_LABELS[score.dimension]:<18} {score.score}/5{note}")
    if debrief.hint_tiers:
        used = ", ".join(tier.name.lower() for tier in debrief.hint_tiers)
        lines.append(f"Hints used: {used} (-{debrief.hint_penalty})")
    for heading, items in (("Strengths", debrief.strengths), ("To improve", debrief.improvements)):
        if items:
            lines.append(f"{heading}:")
            lines.extend(f"  - {item}" for item in items)
    if debrief.recommended_topics:
        lines.append("Study next:")
        for topic_id in debrief.recommended_topics:
            topic = taxonomy.topic(topic_id) if taxonomy else None
            lines.append(f"  - {topic.name}: {topic.study}" if topic else f"  - {topic_id}")
    return "\n".join(lines)


# --- scoring from rubric grades (the offline interviewer's judgement) ----------------

_MARKERS = re.compile(
    r"\b(first|second|third|then|next|finally|because|so that|so|therefore|trade-?offs?|"
    r"for example|as a result|in the end|at first|the lesson|afterwards)\b|^\s*(\d+[.)]|[-*])\s",
    re.I | re.M,
)
_WORD_BANDS = (5, 20, 45, 90)  # words per answer at which communication reaches 2, 3, 4, 5
_MARKER_BANDS = (0.5, 1, 2, 3)  # signposts per answer


def _band(value: float, thresholds: tuple[float, ...]) -> int:
    return 1 + sum(value >= threshold for threshold in thresholds)


def _to_score(share: float) -> int:
    return 1 + round(4 * min(max(share, 0.0), 1.0))


def _star_share(question: Question, grade: Grade) -> float:
    parts = {p.star for p, r in zip(question.rubric, grade.points, strict=True) if r.credit >= 0.5}
    if not any(point.star for point in question.rubric):
        return grade.credit
    return len(parts & set(StarPart)) / len(StarPart)


def _depth_share(question: Question, grade: Grade) -> float:
    full = sum(r.weight for r in grade.points if r.credit >= 0.99)
    return full / question.total_weight if question.total_weight else 0.0


def dimension_scores(round_: Round, graded: Sequence[Graded]) -> tuple[DimensionScore, ...]:
    """1-5 scores from rubric grades: what the offline interviewer can judge without a model.

    Communication and structure are read from the answers' length and signposting,
    but never more than one above the content score: long or well-signposted
    text that says nothing relevant is not good communication.
    """
    if not graded:
        return tuple(DimensionScore(dimension=d, score=1) for d in dimensions_for(round_))
    n = len(graded)
    credit = sum(grade.credit for _, grade, _ in graded) / n
    if round_ is Round.BEHAVIORAL:
        first = _to_score(sum(_star_share(q, g) for q, g, _ in graded) / n)
    else:
        first = _to_score(credit)
    # Sentences aimed at the grader are not communication either.
    answers = [strip_instructions(answer) for _, _, texts in graded for answer in texts] or [""]
    words = sum(len(answer.split()) for answer in answers) / len(answers)
    markers = sum(len(_MARKERS.findall(answer)) for answer in answers) / len(answers)
    depth = _to_score(sum(_depth_share(q, g) for q, g, _ in graded) / n)
    values = {
        dimensions_for(round_)[0]: (first, f"{credit:.0%} of rubric credit over {n} question(s)"),
        Dimension.DEPTH: (depth, "share of key points covered in full"),
        Dimension.COMMUNICATION: (min(_band(words, _WORD_BANDS), first + 1), f"{words:.0f} words"),
        Dimension.STRUCTURE: (min(_band(markers, _MARKER_BANDS), first + 1), "signposting"),
    }
    return tuple(
        DimensionScore(dimension=d, score=values[d][0], note=values[d][1])
        for d in dimensions_for(round_)
    )
