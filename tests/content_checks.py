"""Correctness checks of the question bank, shared by the tests and by authors.

Run ``python -m tests.content_checks [FILE ...]`` while writing questions: it
validates the schema, runs every Python snippet in a subprocess, recomputes
every numeric answer, and checks the spread of correct positions, near-duplicate
prompts and per-topic counts. ``tests/test_content.py`` runs the same checks
over the whole bank.
"""

from __future__ import annotations

import difflib
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.domain.numeric_checks import recompute
from bot.domain.questions import Kind, Question, QuestionFile
from bot.store.content import DEFAULT_CONTENT_DIR, check_content

MAX_POSITION_SHARE = 0.40
MIN_PER_TOPIC = 6
NEAR_DUPLICATE_RATIO = 0.85
SNIPPET_TIMEOUT_S = 20

_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?(?:e-?\d+)?\s*([kKMBG%]?)")
_SCALE = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "%": 0.01}


def numbers_in(text: str) -> list[float]:
    """Numbers written in ``text``, with k/M/B suffixes and percentages scaled."""
    found = []
    for match in _NUMBER.finditer(text):
        raw = match.group(0)[: len(match.group(0)) - len(match.group(1))].strip()
        try:
            value = float(raw.replace(",", ""))
        except ValueError:
            continue
        found.append(value)
        found.append(value * _SCALE[match.group(1)])
    return found


def close_enough(value: float, expected: float, tolerance: float) -> bool:
    diff = abs(value - expected)
    return diff <= tolerance or diff <= tolerance * abs(expected)


def run_snippet(code: str) -> tuple[str, str]:
    """Run ``code`` in a fresh interpreter; returns (stdout, last line of stderr)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "snippet.py"
        path.write_text(code, encoding="utf-8")
        result = subprocess.run(  # noqa: S603 - our own interpreter on our own content
            [sys.executable, "-I", str(path)],
            capture_output=True,
            text=True,
            timeout=SNIPPET_TIMEOUT_S,
            cwd=tmp,
            check=False,
        )
    error_lines = result.stderr.strip().splitlines()
    return result.stdout, error_lines[-1] if error_lines else ""


def _normalise_output(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def snippet_problems(question: Question) -> list[str]:
    code = question.python_snippet
    if code is None:
        return []
    if question.snippet is None:
        return ["has a ```python block but no 'snippet' (stdout or raises)"]
    try:
        stdout, error = run_snippet(code)
    except subprocess.TimeoutExpired:
        return [f"snippet did not finish in {SNIPPET_TIMEOUT_S} s"]
    expected = question.snippet
    if expected.raises is not None:
        name = error.split(":", 1)[0].rsplit(".", 1)[-1]
        if name != expected.raises:
            return [f"snippet should raise {expected.raises}, got {error or 'no error'!r}"]
        return []
    problems = []
    if error and "Error" in error:
        problems.append(f"snippet raised {error!r}")
    if _normalise_output(stdout) != _normalise_output(expected.stdout or ""):
        problems.append(f"snippet printed {stdout.strip()!r}, key says {expected.stdout!r}")
    elif question.kind is Kind.CHOICE:
        shown = question.options[question.correct_index].text.strip().strip("`")
        if shown != _normalise_output(stdout) and "print" in question.prompt.lower():
            problems.append(f"correct option {shown!r} differs from the output {stdout.strip()!r}")
    return problems


def numeric_problems(question: Question) -> list[str]:
    check = question.numeric
    if check is None:
        return []
    try:
        value = recompute(check.checker, dict(check.inputs))
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        return [f"numeric check {check.checker} failed: {exc!r}"]
    problems = []
    if not close_enough(value, check.answer, check.tolerance):
        problems.append(f"numeric answer {check.answer} but {check.checker} gives {value:.6g}")
    shown_in = (
        question.options[question.correct_index].text
        if question.kind is Kind.CHOICE
        else question.explanation
    )
    if not any(
        close_enough(n, check.answer, max(check.tolerance, 1e-9)) for n in numbers_in(shown_in)
    ):
        where = "correct option" if question.kind is Kind.CHOICE else "explanation"
        problems.append(f"the {where} does not show the answer {check.answer}")
    return problems


def position_problems(questions: Sequence[Question], label: str) -> list[str]:
    choice = [q for q in questions if q.kind is Kind.CHOICE]
    if len(choice) < 5:
        return []
    counts = Counter(q.correct_index for q in choice)
    position, most = counts.most_common(1)[0]
    if most / len(choice) > MAX_POSITION_SHARE:
        share = f"{most}/{len(choice)}"
        return [f"{label}: option {position + 1} is correct in {share} choice questions"]
    return []


def _normalise_prompt(prompt: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", prompt.lower()).split())


def near_duplicates(questions: Sequence[Question]) -> list[tuple[str, str, float]]:
    """Pairs of prompts whose normalised texts are nearly the same."""
    texts = [(q.id, _normalise_prompt(q.prompt)) for q in questions]
    words = [set(text.split()) for _, text in texts]
    pairs = []
    for i, (id_a, text_a) in enumerate(texts):
        for j in range(i + 1, len(texts)):
            union = len(words[i] | words[j]) or 1
            if len(words[i] & words[j]) / union < 0.6:
                continue  # cheap filter before the quadratic-cost ratio
            ratio = difflib.SequenceMatcher(None, text_a, texts[j][1]).ratio()
            if ratio >= NEAR_DUPLICATE_RATIO:
                pairs.append((id_a, texts[j][0], ratio))
    return pairs


def per_question_problems(questions: Iterable[Question]) -> list[str]:
    """Snippet and numeric problems, snippets run in parallel."""
    listed = list(questions)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = pool.map(lambda q: snippet_problems(q) + numeric_problems(q), listed)
    return [f"[{q.id}] {p}" for q, found in zip(listed, results, strict=True) for p in found]


def check_file(path: Path) -> list[str]:
    """Everything checkable about one file on its own."""
    try:
        parsed = QuestionFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        return [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    except yaml.YAMLError as exc:
        return [f"YAML error: {exc}"]
    questions = parsed.questions
    problems = per_question_problems(questions)
    problems += position_problems(questions, path.name)
    problems += [
        f"[{a}] and [{b}] are near duplicates ({r:.2f})" for a, b, r in near_duplicates(questions)
    ]
    _, bank_problems = check_content(DEFAULT_CONTENT_DIR)
    problems += [str(p) for p in bank_problems if p.source == path.name]
    counts = Counter(q.topic for q in questions)
    ids = [q.id for q in questions]
    problems += [f"duplicate id {i}" for i, n in Counter(ids).items() if n > 1]
    summary = ", ".join(f"{topic}={n}" for topic, n in sorted(counts.items()))
    open_share = sum(q.kind is Kind.OPEN for q in questions) / max(len(questions), 1)
    print(f"{path.name}: {len(questions)} questions, {open_share:.0%} open; {summary}")
    low = [t for t, n in counts.items() if n < MIN_PER_TOPIC]
    problems += [f"topic {t} has {counts[t]} questions (< {MIN_PER_TOPIC})" for t in low]
    return problems


def main(argv: Sequence[str]) -> int:
    paths = [Path(arg) for arg in argv] or sorted(
        (DEFAULT_CONTENT_DIR / "questions").glob("*.yaml")
    )
    failures = 0
    for path in paths:
        problems = check_file(path)
        failures += len(problems)
        for problem in problems:
            print(f"  {path.name}: {problem}")
    print("clean" if not failures else f"{failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
