"""What the grader is shown: the prompt file, the delimited answer and the references."""

from __future__ import annotations

import contextlib
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from string import Template

from bot.domain.errors import ContentError, InvalidInputError
from bot.domain.grading import ANSWER_MAX_CHARS, normalise_answer
from bot.domain.questions import Question

# The repository's prompts/ directory (this file is bot/llm/grader/_prompt.py).
PROMPTS_DIR = Path(__file__).resolve().parents[3] / "prompts"

# Anything that looks like an opening or closing answer tag, however spelled.
_TAG = re.compile(r"<\s*/?\s*answer[^<>]*(?:>|$)", re.IGNORECASE)
_VERSION = re.compile(r"<!--\s*(\w+ v\d+)\s*-->")
_REMINDER_MARK = "<!-- reminder -->"


@dataclass(frozen=True)
class Reference:
    """What an answer is graded against: point texts (rubric order) and an explanation."""

    points: tuple[str, ...]
    explanation: str


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


def delimited_answer(text: str, reminder: Template) -> str:
    """The user turn: ``text`` inside a tag with a fresh random name, then the reminder."""
    tag = f"answer-{secrets.token_hex(4)}"  # unguessable, so the text cannot close it
    return f"<{tag}>\n{text}\n</{tag}>\n\n{reminder.substitute(tag=tag).strip()}"


def render_system(system: Template, question: Question, reference: Reference) -> str:
    """The system prompt: the question and ``reference`` laid over its rubric weights."""
    rubric = "\n".join(
        f"{i}. (weight {p.weight}) {text}"
        for i, (p, text) in enumerate(zip(question.rubric, reference.points, strict=True))
    )
    return system.substitute(
        question=question.prompt, rubric=rubric, reference=reference.explanation
    ).strip()


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
