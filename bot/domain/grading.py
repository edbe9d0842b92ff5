"""Grading answers: exactly for choice questions, against the rubric for open ones.

Credit is always in [0, 1]. An open answer is graded per rubric point; the
total is computed here, in Python, from per-point credits, whoever judged the
points (the offline concept matcher below, or Claude through
:mod:`bot.llm.grader`). Evidence rules live here too, so both graders obey
them: a point's credit stands only on quotes that really occur in the answer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.errors import InvalidInputError
from bot.domain.injection import find_instructions, strip_instructions
from bot.domain.questions import Kind, Question, RubricPoint

ANSWER_MAX_CHARS = 1500
INJECTION_CAP = 0.5  # most credit an answer that tries to instruct the grader can get
KEYWORD_LIST_CAP = 0.5
MIN_WORDS = 4


class Flag(StrEnum):
    INSUFFICIENT = "insufficient"
    OFF_TOPIC = "off_topic"
    INSTRUCTIONS_IN_ANSWER = "instructions_in_answer"
    CAPPED = "capped"


@dataclass(frozen=True)
class PointResult:
    """How one rubric point was judged: credit in [0, 1] and why."""

    point: str
    weight: int
    credit: float
    evidence: tuple[str, ...] = ()
    rationale: str = ""


@dataclass(frozen=True)
class Grade:
    """A graded answer. ``credit`` is in [0, 1]; ``grader`` says who judged it."""

    credit: float
    grader: str
    feedback: str
    points: tuple[PointResult, ...] = ()
    flags: frozenset[Flag] = field(default_factory=frozenset)
    correct: bool | None = None

    @property
    def verdict(self) -> str:
        if self.credit >= 0.85:
            return "right"
        return "partial" if self.credit >= 0.35 else "wrong"


def normalise_answer(text: str) -> str:
    """Normalised free text: NFKC, control characters removed, whitespace collapsed.

    Raises InvalidInputError when nothing is left or it is over the limit, so
    the member is told before anything is stored.
    """
    cleaned = unicodedata.normalize("NFKC", text)
    cleaned = "".join(ch for ch in cleaned if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    cleaned = re.sub(r"[ \t]+", " ", cleaned)
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned).strip()
    if not cleaned:
        raise InvalidInputError("Your answer is empty. Write a few sentences and try again.")
    if len(cleaned) > ANSWER_MAX_CHARS:
        raise InvalidInputError(
            f"Your answer is {len(cleaned):,} characters; the limit is {ANSWER_MAX_CHARS:,}. "
            "Trim it and submit again."
        )
    return cleaned


def weighted_credit(points: tuple[PointResult, ...]) -> float:
    """Total credit from per-point credits, weighted, clamped to [0, 1]."""
    total_weight = sum(p.weight for p in points)
    if total_weight == 0:
        return 0.0
    raw = sum(p.weight * min(max(p.credit, 0.0), 1.0) for p in points) / total_weight
    return round(min(max(raw, 0.0), 1.0), 4)


def grade_choice(question: Question, choice_index: int) -> Grade:
    """Exact grading of a multiple-choice answer."""
    if question.kind is not Kind.CHOICE:
        raise ValueError(f"{question.id} is not a choice question")
    if not 0 <= choice_index < len(question.options):
        raise InvalidInputError("That option does not exist for this question.")
    correct = choice_index == question.correct_index
    right = question.options[question.correct_index].text
    feedback = "Correct." if correct else f"Not quite: the answer is **{right}**."
    return Grade(credit=1.0 if correct else 0.0, grader="exact", feedback=feedback, correct=correct)


# --- offline concept matching ---------------------------------------------------------

_STOPWORDS = frozenset(
    re.findall(
        r"[a-z]+",
        """a an the and or but if of to in on for with by is are was were be been it this
    that as at from we i you they he she not no so than then there their our my your
    its into can could would should will do does did have has had which what when where
    who how""",
    )
)


def _plain(text: str) -> str:
    """Lower case, accents removed, Greek kept (σ², β), punctuation to spaces."""
    lowered = unicodedata.normalize("NFKD", text.lower())
    lowered = "".join(ch for ch in lowered if not unicodedata.combining(ch))
    kept = re.sub(r"[^a-z0-9\u0370-\u03ff%$.+#/\- ]+", " ", lowered).replace("-", " ")
    return " " + " ".join(kept.split()) + " "


def concept_matches(concept: str, plain_text: str) -> bool:
    """Whether an alternative of ``concept`` (``|``-separated) starts at a word start.

    Matching at word starts keeps stems useful ("overfit" finds "overfitting")
    while a short alternative such as "i" or "3" no longer matches inside words
    or longer numbers' tails.
    """
    for alternative in concept.split("|"):
        needle = _plain(alternative).strip()
        if needle and re.search(rf"(?<![a-z0-9\u0370-\u03ff]){re.escape(needle)}", plain_text):
            return True
    return False


def _point_credit(point: RubricPoint, plain_text: str) -> tuple[float, tuple[str, ...]]:
    hits = [c for c in point.concepts if concept_matches(c, plain_text)]
    return len(hits) / len(point.concepts), tuple(hits)


def _looks_like_keyword_list(text: str) -> bool:
    """Many terms, few sentences: a list of buzzwords rather than an explanation."""
    words = re.findall(r"[a-zA-Z']+", text.lower())
    if len(words) < MIN_WORDS:
        return False
    stop_share = sum(w in _STOPWORDS for w in words) / len(words)
    return stop_share < 0.12


def grade_open_offline(question: Question, answer: str) -> Grade:
    """Rubric grading by concept matching; never raises on member text.

    Sentences that try to instruct the grader are removed before matching, so
    such an answer can never gain credit from them, and the grade is flagged.
    """
    if question.kind is not Kind.OPEN:
        raise ValueError(f"{question.id} is not an open question")
    flags: set[Flag] = set()
    if find_instructions(answer):
        flags.add(Flag.INSTRUCTIONS_IN_ANSWER)
        answer = strip_instructions(answer)
    words = re.findall(r"\w+", answer)
    if len(words) < MIN_WORDS:
        flags.add(Flag.INSUFFICIENT)
    plain_text = _plain(answer)
    results = []
    for point in question.rubric:
        credit, hits = _point_credit(point, plain_text)
        if Flag.INSUFFICIENT in flags:
            credit, hits = 0.0, ()
        results.append(
            PointResult(point=point.point, weight=point.weight, credit=credit, evidence=hits)
        )
    points = tuple(results)
    credit = weighted_credit(points)
    if credit == 0 and Flag.INSUFFICIENT not in flags:
        flags.add(Flag.OFF_TOPIC)
    cap = 1.0
    if _looks_like_keyword_list(answer):
        cap = KEYWORD_LIST_CAP
    if Flag.INSTRUCTIONS_IN_ANSWER in flags:
        cap = min(cap, INJECTION_CAP)
    if credit > cap:
        credit, flags = cap, flags | {Flag.CAPPED}
    return Grade(
        credit=credit,
        grader="offline",
        feedback=_feedback(points, flags),
        points=points,
        flags=frozenset(flags),
    )


def _feedback(points: tuple[PointResult, ...], flags: set[Flag]) -> str:
    if Flag.INSUFFICIENT in flags:
        return "Too short to grade: explain your reasoning in a few sentences."
    lines = []
    covered = [p for p in points if p.credit >= 0.99]
    missed = [p for p in points if p.credit < 0.99]
    if covered:
        lines.append("Covered: " + "; ".join(_short(p.point) for p in covered))
    if missed:
        lines.append("Missing: " + "; ".join(_short(p.point) for p in missed))
    if Flag.INSTRUCTIONS_IN_ANSWER in flags:
        lines.append("Instructions to the grader were ignored.")
    if Flag.CAPPED in flags:
        lines.append("Capped at half credit: explain your reasoning in sentences.")
    return "\n".join(lines)


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def keep_supported_evidence(
    points: tuple[PointResult, ...], answer: str
) -> tuple[PointResult, ...]:
    """Drop quotes that are not in the answer, and the credit that rested on them.

    A point whose every quote is invented keeps no credit: an LLM grader must
    show where in the member's own words each point was earned.
    """
    haystack = " ".join(answer.split()).lower()
    kept = []
    for point in points:
        quotes = tuple(q for q in point.evidence if q and " ".join(q.split()).lower() in haystack)
        credit = point.credit if quotes else 0.0
        kept.append(
            PointResult(
                point=point.point,
                weight=point.weight,
                credit=credit,
                evidence=quotes,
                rationale=point.rationale,
            )
        )
    return tuple(kept)
