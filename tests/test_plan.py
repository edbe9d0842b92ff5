"""The 4-week plan and the choice of each day's question."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.plan import current_pass, pick_question
from bot.domain.questions import Round, Track
from bot.store.content import load_bank, load_plan


@pytest.fixture(scope="module")
def bank():
    return load_bank()


@pytest.fixture(scope="module")
def plan():
    return load_plan()


def test_the_plan_follows_the_playbooks_four_weeks(plan, bank):
    assert plan.length == 28 and [w.week for w in plan.weeks] == [1, 2, 3, 4]
    assert plan.check(bank.taxonomy) == []
    week_rounds = [{d.round for d in week.days} for week in plan.weeks]
    assert {Round.ML_FUNDAMENTALS, Round.CODING} <= week_rounds[0]
    assert Round.DEEP_LEARNING in week_rounds[1]
    assert Round.SYSTEM_DESIGN in week_rounds[2]
    assert {Round.SPECIALIZATION, Round.CASE_STUDY} <= week_rounds[3]
    assert all(Round.BEHAVIORAL in rounds for rounds in week_rounds)  # woven in
    assert any(d.mock for d in plan.weeks[3].days)


def test_a_plan_day_decides_the_round_and_prefers_its_topics(plan, bank):
    for day in plan.days:
        question = pick_question(bank, plan, cohort_day=day.day, seed="s", history=[])
        assert question.round is day.round
        if day.topics:
            assert question.topic in day.topics


def test_specialization_days_respect_the_servers_tracks(plan, bank):
    day = next(d for d in plan.days if d.round is Round.SPECIALIZATION)
    for _ in range(5):
        question = pick_question(
            bank, plan, cohort_day=day.day, seed="x", history=[], tracks=[Track.RL]
        )
        assert question.track is Track.RL


@settings(max_examples=15, deadline=None)
@given(seed=st.text(min_size=1, max_size=8))
def test_the_choice_is_deterministic_given_the_seed(seed):
    bank, plan = load_bank(), load_plan()
    first = pick_question(bank, plan, cohort_day=3, seed=seed, history=["mlf-001"])
    again = pick_question(bank, plan, cohort_day=3, seed=seed, history=["mlf-001"])
    assert first == again


def test_no_repeat_until_the_pool_is_exhausted_then_a_new_order(plan, bank):
    rounds = [Round.CASE_STUDY]
    pool = {q.id for q in bank.eligible(rounds)}
    history: list[str] = []
    for day in range(1, 2 * len(pool) + 1):
        question = pick_question(
            bank, plan, cohort_day=28 + day, seed="cohort", history=history, rounds=rounds
        )
        history.append(question.id)
    first_pass, second_pass = history[: len(pool)], history[len(pool) :]
    assert set(first_pass) == pool and len(set(first_pass)) == len(pool)
    assert set(second_pass) == pool
    assert first_pass != second_pass  # a new pass in a new order
    assert current_pass(history, pool) == (2, set())


def test_the_review_cycle_leans_towards_the_weakest_topics(plan, bank):
    rounds = [Round.ML_FUNDAMENTALS]
    accuracy = {t.id: 0.9 for t in bank.taxonomy.topics()}
    accuracy["svms"] = 0.1
    topics = Counter(
        pick_question(
            bank,
            plan,
            cohort_day=29 + day,
            seed="weak",
            history=[],
            rounds=rounds,
            topic_accuracy=accuracy,
        ).topic
        for day in range(200)
    )
    assert topics.most_common(1)[0][0] == "svms"


def test_no_eligible_question_is_an_error(plan, bank):
    with pytest.raises(ValueError):
        pick_question(bank, plan, cohort_day=1, seed="s", history=[], rounds=[])
