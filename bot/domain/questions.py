"""The question bank's schema: what one question is, checked on load.

Questions are authored as YAML under ``content/questions/`` and validated here,
so a typo in a file fails ``studybot bank validate`` with the file, the question
id and the field, rather than surfacing in a channel at 09:00.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PROMPT_MAX = 1000
EXPLANATION_MAX = 1500
OPTION_LABEL_MAX = 80
OPTION_LETTERS = "ABCDE"  # how options are named to members, in Discord and the terminal
ID_PATTERN = r"^[a-z]{2,3}-\d{3}$"
TOPIC_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"

_FENCE = re.compile(r"```([a-zA-Z0-9_+-]*)\n(.*?)```", re.DOTALL)


class Round(StrEnum):
    """The seven round types of an ML/AI interview loop, in loop order."""

    CODING = "coding"
    ML_FUNDAMENTALS = "ml-fundamentals"
    DEEP_LEARNING = "deep-learning"
    SYSTEM_DESIGN = "system-design"
    SPECIALIZATION = "specialization"
    CASE_STUDY = "case-study"
    BEHAVIORAL = "behavioral"


class Track(StrEnum):
    """Specialization tracks; only ``specialization`` questions carry one."""

    NLP = "nlp"
    CV = "cv"
    RL = "rl"
    RECSYS = "recsys"


class Kind(StrEnum):
    CHOICE = "choice"
    OPEN = "open"


class StarPart(StrEnum):
    """The parts of a STAR answer a behavioral rubric point can assess."""

    SITUATION = "situation"
    TASK = "task"
    ACTION = "action"
    RESULT = "result"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Option(_Frozen):
    """One button of a multiple-choice question."""

    text: Annotated[str, Field(min_length=1, max_length=OPTION_LABEL_MAX)]
    correct: bool = False


class RubricPoint(_Frozen):
    """One key point of an open answer and what earns its credit.

    ``concepts`` lists the words or phrases (with synonyms separated by ``|``)
    the offline grader looks for; the LLM grader reads ``point`` instead.
    """

    point: Annotated[str, Field(min_length=10, max_length=400)]
    weight: Annotated[int, Field(ge=1, le=5)] = 1
    concepts: Annotated[tuple[str, ...], Field(min_length=1, max_length=12)]
    star: StarPart | None = None


class SnippetCheck(_Frozen):
    """What the first ``python`` block of the prompt prints, or raises.

    The content tests run the block in a subprocess and compare.
    """

    stdout: str | None = None
    raises: str | None = None

    @model_validator(mode="after")
    def _one_outcome(self) -> Self:
        if (self.stdout is None) == (self.raises is None):
            raise ValueError("give exactly one of 'stdout' or 'raises'")
        return self


class NumericCheck(_Frozen):
    """A numeric answer together with the inputs that produce it.

    ``checker`` names a function in :mod:`bot.domain.numeric_checks`; the content
    tests call it with ``inputs`` and compare with ``answer``.
    """

    checker: Annotated[str, Field(min_length=1)]
    inputs: dict[str, int | float | str | list[int] | list[float] | list[list[int]]]
    answer: float
    tolerance: Annotated[float, Field(ge=0)] = 0.005


class Question(_Frozen):
    """One bank question, validated against Discord's limits on load."""

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    round: Round
    track: Track | None = None
    topic: Annotated[str, Field(pattern=TOPIC_PATTERN)]
    difficulty: Annotated[int, Field(ge=1, le=3)]
    kind: Kind
    prompt: Annotated[str, Field(min_length=15, max_length=PROMPT_MAX)]
    options: tuple[Option, ...] = ()
    rubric: tuple[RubricPoint, ...] = ()
    explanation: Annotated[str, Field(min_length=20, max_length=EXPLANATION_MAX)]
    snippet: SnippetCheck | None = None
    numeric: NumericCheck | None = None

    @field_validator("prompt")
    @classmethod
    def _fences_closed(cls, prompt: str) -> str:
        if prompt.count("```") % 2:
            raise ValueError("has an unclosed ``` code fence")
        return prompt

    @model_validator(mode="after")
    def _shape_matches_kind(self) -> Self:
        if (self.round is Round.SPECIALIZATION) != (self.track is not None):
            raise ValueError("'track' is required for specialization questions and only there")
        if self.kind is Kind.CHOICE:
            self._check_choice()
        else:
            self._check_open()
        if self.snippet is not None and self.python_snippet is None:
            raise ValueError("'snippet' is set but the prompt has no ```python block")
        return self

    def _check_choice(self) -> None:
        if not 2 <= len(self.options) <= 5:
            raise ValueError("a choice question needs 2 to 5 options")
        if sum(option.correct for option in self.options) != 1:
            raise ValueError("a choice question needs exactly one correct option")
        labels = [option.text.casefold() for option in self.options]
        if len(set(labels)) != len(labels):
            raise ValueError("options must differ")
        if self.rubric:
            raise ValueError("a choice question has options, not a rubric")

    def _check_open(self) -> None:
        if not 2 <= len(self.rubric) <= 6:
            raise ValueError("an open question needs a rubric of 2 to 6 points")
        if self.options:
            raise ValueError("an open question has a rubric, not options")
        if self.round is Round.BEHAVIORAL:
            parts = {point.star for point in self.rubric}
            if not set(StarPart) <= parts:
                raise ValueError(
                    "a behavioral rubric must cover situation, task, action and result"
                )

    @property
    def correct_index(self) -> int:
        """Position of the correct option; raises ValueError for open questions."""
        for index, option in enumerate(self.options):
            if option.correct:
                return index
        raise ValueError(f"{self.id} has no correct option")

    @property
    def python_snippet(self) -> str | None:
        """The first fenced ``python`` block of the prompt, if any."""
        for language, body in _FENCE.findall(self.prompt):
            if language == "python":
                return str(body)
        return None

    @property
    def total_weight(self) -> int:
        return sum(point.weight for point in self.rubric)


class QuestionFile(_Frozen):
    """One YAML file of the bank: a round (and track) and its questions."""

    round: Round
    track: Track | None = None
    questions: tuple[Question, ...]

    @model_validator(mode="before")
    @classmethod
    def _inherit_round(cls, data: object) -> object:
        """Questions inherit the file's round and track so authors write them once."""
        if isinstance(data, dict) and isinstance(data.get("questions"), list):
            for question in data["questions"]:
                if isinstance(question, dict):
                    question.setdefault("round", data.get("round"))
                    if data.get("track") is not None:
                        question.setdefault("track", data.get("track"))
        return data
