"""The question plan's building blocks and the interview's progress as read back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.domain.grading import Grade, grade_open_offline
from bot.domain.questions import Kind, Question, RubricPoint, Track

MINUTES_PER_QUESTION = 8
_TRACK_FALLBACK = {Track.RECSYS: "recommendation-systems"}  # no recsys file yet
_STOP = frozenset(
    re.findall(
        r"[a-z]+",
        """about after also because been before being between both could does each from have
        here into just like make many more most much only other over same should since some
        such than that their them then there these they this those through very what when
        where which while will with would your answer""",
    )
)


@dataclass
class Exchange:
    """One plan question as it played out: the candidate's answers and our probes."""

    question: Question
    answers: list[str] = field(default_factory=list)
    probes: list[str] = field(default_factory=list)

    def grade(self) -> Grade:
        return grade_open_offline(self.question, "\n".join(self.answers))


@dataclass
class Progress:
    exchanges: list[Exchange] = field(default_factory=list)
    asked_for_questions: bool = False
    candidate_questions: list[str] = field(default_factory=list)
    answered_last: bool = False  # the newest turn is the candidate's


def as_open(question: Question) -> Question:
    """A choice question asked without its options, with a rubric built from its key.

    Credit needs the gist of the correct option and some of the explanation's
    reasoning, so naming the answer alone earns two thirds at most.
    """
    if question.kind is Kind.OPEN:
        return question
    correct = question.options[question.correct_index].text
    answer_terms = _keywords(correct, 3) or (correct,)
    reasons = [t for t in _keywords(question.explanation, 8) if t not in answer_terms]
    rubric = (
        RubricPoint(point=f"Reaches the answer: {correct}", weight=2, concepts=answer_terms),
        RubricPoint(
            point="Backs the answer with the reasoning behind it.",
            weight=1,
            concepts=tuple(reasons[:3]) or ("because",),
        ),
    )
    return question.model_copy(update={"kind": Kind.OPEN, "options": (), "rubric": rubric})


def _keywords(text: str, limit: int) -> tuple[str, ...]:
    """The longest distinctive words of ``text``, in a stable order."""
    words = dict.fromkeys(w for w in re.findall(r"[a-z][a-z0-9-]{3,}", text.lower()))
    ranked = sorted((w for w in words if w not in _STOP), key=lambda w: -len(w))
    return tuple(ranked[:limit])
