"""Loading the question bank, taxonomy and plan from ``content/`` on disk.

Loading never stops at the first mistake: every problem in every file is
collected with its file, question id and field, so an author fixes a batch of
questions in one pass. :func:`load_bank` raises :class:`ContentError` listing
them; :func:`check_content` returns them for ``studybot bank validate``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.domain.bank import Problem, QuestionBank, cross_check
from bot.domain.errors import ContentError
from bot.domain.plan import StudyPlan
from bot.domain.questions import Question, QuestionFile
from bot.domain.taxonomy import Taxonomy

M = TypeVar("M", bound=BaseModel)

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        problems.append(Problem(path.name, None, None, f"cannot be read: {exc}"))
        return None


def _validation_problems(source: str, data: Any, exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = list(error["loc"])
        question_id = None
        if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
            try:
                question_id = str(data["questions"][loc[1]].get("id", f"#{loc[1] + 1}"))
            except (KeyError, IndexError, TypeError, AttributeError):
                question_id = f"#{loc[1] + 1}"
            loc = loc[2:]
        field = ".".join(str(part) for part in loc) or None
        problems.append(Problem(source, question_id, field, error["msg"]))
    return problems


def _validate(model: type[M], path: Path, problems: list[Problem]) -> M | None:
    data = _read_yaml(path, problems)
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(_validation_problems(path.name, data, exc))
        return None


def _question_files(content_dir: Path) -> list[Path]:
    return sorted((content_dir / "questions").glob("*.yaml"))


def _load_questions(content_dir: Path, problems: list[Problem]) -> list[tuple[str, Question]]:
    """Each file's questions, validated one by one so one bad question hides no other."""
    loaded: list[tuple[str, Question]] = []
    for path in _question_files(content_dir):
        data = _read_yaml(path, problems)
        if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
            problems.append(Problem(path.name, None, None, "needs a 'questions' list"))
            continue
        for index, raw in enumerate(data["questions"]):
            single = {**data, "questions": [raw]}
            try:
                parsed = QuestionFile.model_validate(single)
            except ValidationError as exc:
                for problem in _validation_problems(path.name, single, exc):
                    question_id = problem.question_id or f"#{index + 1}"
                    problems.append(Problem(path.name, question_id, problem.field, problem.message))
                continue
            loaded.append((path.name, parsed.questions[0]))
    return loaded


def check_content(
    content_dir: Path = DEFAULT_CONTENT_DIR,
) -> tuple[QuestionBank | None, list[Problem]]:
    """Load and check everything; returns the bank (None if unusable) and all problems."""
    problems: list[Problem] = []
    taxonomy = _validate(Taxonomy, content_dir / "taxonomy.yaml", problems)
    questions = _load_questions(content_dir, problems)
    if not _question_files(content_dir):
        problems.append(Problem(str(content_dir / "questions"), None, None, "no question files"))
    if taxonomy is None:
        return None, problems
    problems.extend(cross_check(taxonomy, questions))
    plan = _validate(StudyPlan, content_dir / "plan.yaml", problems)
    if plan is not None:
        problems.extend(
            Problem("plan.yaml", None, None, message) for message in plan.check(taxonomy)
        )
    bank = QuestionBank(taxonomy=taxonomy, questions=tuple(q for _, q in questions))
    return bank, problems


def load_bank(content_dir: Path = DEFAULT_CONTENT_DIR) -> QuestionBank:
    """The bank, or ContentError naming every problem."""
    bank, problems = check_content(content_dir)
    if bank is None or problems:
        listing = "\n".join(str(problem) for problem in problems)
        raise ContentError(f"The question bank has {len(problems)} problem(s):\n{listing}")
    return bank


def load_plan(content_dir: Path = DEFAULT_CONTENT_DIR) -> StudyPlan:
    problems: list[Problem] = []
    plan = _validate(StudyPlan, content_dir / "plan.yaml", problems)
    if plan is None:
        raise ContentError("; ".join(str(problem) for problem in problems))
    return plan
