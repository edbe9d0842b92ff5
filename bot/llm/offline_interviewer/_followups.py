"""Where an answer fell short, and what the interviewer says about it."""

from __future__ import annotations

import re

from bot.domain.debrief import Graded
from bot.domain.grading import Flag, Grade
from bot.domain.interview import HintTier
from bot.domain.questions import Question, RubricPoint, StarPart

MAX_FOLLOW_UPS = 2
_STAR_PROBES = {
    StarPart.SITUATION: "Set the scene a little more: where was this, and what was at stake?",
    StarPart.TASK: "What exactly were you responsible for there, as opposed to the wider team?",
    StarPart.ACTION: "Walk me through the specific steps you took yourself. What did you decide?",
    StarPart.RESULT: "How did it end? What changed, in numbers if you have them, and what "
    "would you do differently?",
}


def missed_points(question: Question, grade: Grade) -> list[RubricPoint]:
    """Rubric points not fully earned, the most valuable gap first."""
    gaps = [
        (point.weight * (1 - result.credit), index, point)
        for index, (point, result) in enumerate(zip(question.rubric, grade.points, strict=True))
        if result.credit < 0.99
    ]
    return [point for _, _, point in sorted(gaps, key=lambda gap: (-gap[0], gap[1]))]


def follow_up_for(point: RubricPoint) -> str:
    """The follow-up that digs at a missed rubric point: it names the area, not the answer."""
    if point.star is not None:
        return _STAR_PROBES[point.star]
    return f"Before we move on, let me push on one area: what role does {_cue(point)} play here?"


def _cue(point: RubricPoint) -> str:
    """A few words naming the area of a rubric point without giving the point away."""
    options = [a.strip() for a in point.concepts[0].split("|")]
    plain = [a for a in options if re.fullmatch(r"[a-z][a-z \-]{2,29}", a)]
    return max(plain, key=len) if plain else " ".join(point.point.lower().split()[:4])


def _short(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _preface(flags: frozenset[Flag]) -> str:
    if Flag.INSTRUCTIONS_IN_ANSWER in flags:
        return "I'll stay with the interview: requests about scoring don't change how I judge."
    if Flag.INSUFFICIENT in flags:
        return "That was very brief, so I can't judge it yet."
    return ""


def _feedback(question: Question, grade: Grade, final: bool) -> str:
    """Practice-mode feedback: what landed; when moving on, also what a full answer adds."""
    covered = sum(p.credit >= 0.99 for p in grade.points)
    line = f"Feedback: {covered} of {len(grade.points)} key points covered so far."
    missed = missed_points(question, grade)
    if final and missed:
        line += " A full answer would also have: " + "; ".join(_short(p.point) for p in missed[:2])
    return line


def _hint(question: Question, missed: list[RubricPoint], tier: HintTier, star: bool) -> str:
    if not missed:
        return "You've already covered what I was after; tighten the answer or let's move on."
    if tier is HintTier.NUDGE:
        if star and missed[0].star is not None:
            return f"A nudge: your {missed[0].star.value} is the thin part. Make it concrete."
        return f"A nudge: the missing piece is about {_cue(missed[0])}. What does it change?"
    if tier is HintTier.APPROACH:
        areas = ", ".join(_cue(point) for point in missed[:3])
        order = " Tell it as situation, task, action, result." if star else ""
        return f"One way in: a complete answer touches on {areas}.{order}"
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(question.explanation.split()))
    return "Part of an answer: " + _short(" ".join(sentences[:2]), 350)


def _strengths(graded: list[Graded]) -> tuple[str, ...]:
    covered = [r.point for _, grade, _ in graded for r in grade.points if r.credit >= 0.99]
    return tuple(dict.fromkeys("Covered: " + _short(point) for point in covered))[:3]


def _improvements(graded: list[Graded]) -> tuple[str, ...]:
    missed = [_short(p.point) for q, grade, _ in graded for p in missed_points(q, grade)[:1]]
    flags = set().union(*(grade.flags for _, grade, _ in graded)) if graded else set()
    notes = []
    if not graded or Flag.INSUFFICIENT in flags:
        notes.append("Answer in a few full sentences; very short answers cannot be judged.")
    if Flag.INSTRUCTIONS_IN_ANSWER in flags:
        notes.append("Instructions to the interviewer were ignored and earned nothing.")
    return tuple(dict.fromkeys(notes + ["Add: " + m for m in missed]))[:5]
