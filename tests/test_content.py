"""The shipped question bank: valid, big enough, balanced, and machine-checked."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.domain.questions import Kind, Round
from bot.store.content import check_content
from tests.content_checks import (
    MAX_POSITION_SHARE,
    near_duplicates,
    per_question_problems,
    position_problems,
)


@pytest.fixture(scope="module")
def bank():
    loaded, problems = check_content()
    assert problems == []
    assert loaded is not None
    return loaded


def test_the_bank_meets_its_size_and_mix(bank):
    questions = bank.questions
    assert len(questions) >= 500
    by_round = Counter(q.round for q in questions)
    assert set(by_round) == set(Round)
    assert min(by_round.values()) >= 40
    by_track = Counter(q.track for q in questions if q.track)
    assert len(by_track) == 4 and min(by_track.values()) >= 25
    assert sum(q.kind is Kind.OPEN for q in questions) / len(questions) >= 0.35
    for round_ in Round:
        assert {q.difficulty for q in questions if q.round is round_} == {1, 2, 3}


def test_every_taxonomy_topic_has_at_least_six_questions(bank):
    counts = Counter(q.topic for q in bank.questions)
    thin = {t.id: counts[t.id] for t in bank.taxonomy.topics() if counts[t.id] < 6}
    assert thin == {}


def test_ids_are_unique(bank):
    duplicated = [i for i, n in Counter(q.id for q in bank.questions).items() if n > 1]
    assert duplicated == []


def test_correct_positions_are_spread_in_every_round(bank):
    problems = []
    for round_ in Round:
        in_round = [q for q in bank.questions if q.round is round_]
        problems += position_problems(in_round, round_.value)
    assert problems == [], f"more than {MAX_POSITION_SHARE:.0%} at one position"


def test_no_two_prompts_are_near_duplicates(bank):
    assert near_duplicates(bank.questions) == []


def test_coding_has_runnable_code_reading_questions(bank):
    coding = [q for q in bank.questions if q.round is Round.CODING]
    with_code = [q for q in coding if q.python_snippet is not None]
    assert len(with_code) >= 15
    assert any(q.snippet and q.snippet.raises for q in with_code)  # find-the-bug


def test_every_snippet_runs_as_keyed_and_every_number_recomputes(bank):
    """Runs each ```python block in a subprocess and recomputes each numeric key."""
    assert per_question_problems(bank.questions) == []


def test_behavioral_open_questions_carry_a_star_rubric(bank):
    behavioral = [q for q in bank.questions if q.round is Round.BEHAVIORAL and q.kind is Kind.OPEN]
    assert behavioral
    for question in behavioral:
        assert {p.star for p in question.rubric} >= {"situation", "task", "action", "result"}


def test_stats_report_every_count(bank):
    stats = bank.stats()
    assert stats["total"] == len(bank.questions)
    for key in ("by_round", "by_track", "by_topic", "by_kind", "by_difficulty"):
        assert sum(stats[key].values()) == (
            len([q for q in bank.questions if q.track]) if key == "by_track" else stats["total"]
        )
