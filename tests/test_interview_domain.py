"""Mock interview domain: validation, the clock (pauses, restarts, phases), hints, debrief."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.domain.debrief import (
    Debrief,
    Dimension,
    DimensionScore,
    dimension_scores,
    dimensions_for,
    parse_debrief,
    render_debrief,
)
from bot.domain.errors import InvalidInputError
from bot.domain.grading import grade_open_offline
from bot.domain.interview import (
    ROUND_SPECS,
    HintTier,
    InterviewSession,
    Mode,
    Role,
    Turn,
    TurnKind,
    clean_candidate_message,
    current_phase,
    elapsed,
    is_idle,
    is_over,
    needs_warning,
    next_hint_tier,
    remaining,
    time_note,
    validate_setup,
)
from bot.domain.questions import Kind, Round, Track
from bot.store.content import load_bank

T0 = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


@cache
def bank():
    return load_bank()


def session(round_=Round.SYSTEM_DESIGN, minutes=30, **changes) -> InterviewSession:
    base = InterviewSession(
        id=1, guild_id=1, user_id=2, round=round_, track=None, mode=Mode.REAL,
        minutes=minutes, started_at=T0,
    )  # fmt: skip
    return replace(base, **changes)


def turn(seq, role, minute, kind=TurnKind.MESSAGE, tier=None) -> Turn:
    return Turn(seq, role, "text", T0 + timedelta(minutes=minute), kind, tier)


# --- validation ----------------------------------------------------------------------


def test_valid_setups_parse():
    setup = validate_setup("Specialization", "NLP", 45, "practice")
    assert (setup.round, setup.track, setup.minutes, setup.mode) == (
        Round.SPECIALIZATION,
        Track.NLP,
        45,
        Mode.PRACTICE,
    )
    assert validate_setup("behavioral", None, 30, "real").track is None


@pytest.mark.parametrize(
    ("args", "must_list"),
    [
        (("bogus", None, 30, "real"), [r.value for r in Round]),
        (("specialization", None, 30, "real"), [t.value for t in Track]),
        (("specialization", "audio", 30, "real"), [t.value for t in Track]),
        (("coding", None, 30, "mock"), [m.value for m in Mode]),
        (("coding", None, 9, "real"), ["10", "60"]),
        (("coding", None, 61, "real"), ["10", "60"]),
        (("coding", "nlp", 30, "real"), ["specialization"]),
    ],
)
def test_invalid_setups_name_the_valid_values(args, must_list):
    with pytest.raises(InvalidInputError) as caught:
        validate_setup(*args)
    for value in must_list:
        assert value in caught.value.user_message


def test_candidate_messages_must_be_non_empty_and_at_most_4000_chars():
    assert clean_candidate_message("  an answer \x00 ") == "an answer"
    assert len(clean_candidate_message("x" * 4000)) == 4000
    for empty in ("", "   \n\t ", "\x00\x07"):
        with pytest.raises(InvalidInputError):
            clean_candidate_message(empty)
    with pytest.raises(InvalidInputError, match="shorten"):
        clean_candidate_message("x" * 4001)


# --- round specs ---------------------------------------------------------------------


@pytest.mark.parametrize("round_", list(Round))
def test_every_round_has_a_budget_that_adds_up_and_real_topics(round_):
    spec = ROUND_SPECS[round_]
    assert sum(phase.share for phase in spec.phases) == pytest.approx(1.0)
    assert spec.phases[0].name == "opening" and spec.phases[-1].name == "wrap-up"
    assert spec.core_phases
    topics = {t.id: t for t in bank().taxonomy.topics()}
    for phase in spec.phases:
        for topic_id in phase.topics:
            assert topics[topic_id].round is round_
    assert spec.star is (round_ is Round.BEHAVIORAL)


# --- the clock -----------------------------------------------------------------------


def test_elapsed_counts_from_the_stored_start_and_excludes_pauses():
    s = session(paused_seconds=90)
    assert elapsed(s, T0 + timedelta(minutes=12)) == timedelta(minutes=10, seconds=30)
    assert remaining(s, T0 + timedelta(minutes=12)) == timedelta(minutes=19, seconds=30)
    # A restart reloads the same started_at: the time down counts as interview time.
    assert elapsed(session(), T0 + timedelta(hours=2)) == timedelta(hours=2)
    assert remaining(session(), T0 + timedelta(hours=2)) == timedelta(0)
    # Never negative, and frozen once ended.
    assert elapsed(session(paused_seconds=600), T0) == timedelta(0)
    ended = session(ended_at=T0 + timedelta(minutes=20))
    assert elapsed(ended, T0 + timedelta(days=1)) == timedelta(minutes=20)


def test_system_design_phases_follow_the_budget():
    s = session(Round.SYSTEM_DESIGN, minutes=60)
    names = [current_phase(s, T0 + timedelta(minutes=m))[0].name for m in (0, 3, 10, 25, 35)]
    assert names == ["opening", "requirements", "data", "model", "evaluation"]
    assert current_phase(s, T0 + timedelta(minutes=50))[0].name == "serving"
    assert current_phase(s, T0 + timedelta(minutes=56))[0].name == "your questions"
    assert current_phase(s, T0 + timedelta(minutes=90))[0].name == "wrap-up"
    # The pause shifts phases: 10 wall minutes with 8 paused is still the opening.
    assert (
        current_phase(replace(s, paused_seconds=480), T0 + timedelta(minutes=10))[0].core is False
    )


def test_time_note_reads_minutes_left_and_the_phase():
    note = time_note(session(Round.SYSTEM_DESIGN), T0 + timedelta(minutes=13))
    match = re.fullmatch(
        r"\[time: (\d+) of 30 min left; phase: ([a-z ]+) \(about (\d+) min\)\]", note
    )
    assert match is not None
    assert match.group(1) == "17"
    assert match.group(2) == current_phase(session(), T0 + timedelta(minutes=13))[0].name


def test_warning_once_in_the_last_five_minutes():
    s = session()
    assert not needs_warning(s, T0 + timedelta(minutes=24))
    assert needs_warning(s, T0 + timedelta(minutes=26))
    warned = replace(s, turns=(turn(1, Role.SYSTEM, 26, TurnKind.WARNING),))
    assert not needs_warning(warned, T0 + timedelta(minutes=27))
    assert not needs_warning(s, T0 + timedelta(minutes=30))
    assert is_over(s, T0 + timedelta(minutes=30)) and not is_over(s, T0 + timedelta(minutes=29))


def test_idle_counts_only_the_members_own_turns():
    s = replace(
        session(minutes=60),
        turns=(
            turn(1, Role.INTERVIEWER, 0),
            turn(2, Role.CANDIDATE, 5),
            turn(3, Role.INTERVIEWER, 6),
            turn(4, Role.SYSTEM, 18, TurnKind.WARNING),
        ),
    )
    assert not is_idle(s, T0 + timedelta(minutes=19))
    assert is_idle(s, T0 + timedelta(minutes=20))
    assert is_idle(session(), T0 + timedelta(minutes=15))


# --- hints ---------------------------------------------------------------------------


def test_hint_tiers_climb_cost_more_and_reset_after_an_answer():
    assert [t.cost for t in HintTier] == sorted({t.cost for t in HintTier})
    s = replace(session(), turns=(turn(1, Role.INTERVIEWER, 0),))
    assert next_hint_tier(s) is HintTier.NUDGE
    for seq, expected in ((2, HintTier.APPROACH), (3, HintTier.PARTIAL)):
        tier = HintTier(seq - 1)
        s = replace(s, turns=(*s.turns, turn(seq, Role.SYSTEM, 1, TurnKind.HINT_REQUEST, tier)))
        assert next_hint_tier(s) is expected
    s = replace(
        s, turns=(*s.turns, turn(4, Role.SYSTEM, 1, TurnKind.HINT_REQUEST, HintTier.PARTIAL))
    )
    with pytest.raises(InvalidInputError):
        next_hint_tier(s)
    assert s.hint_tiers == (HintTier.NUDGE, HintTier.APPROACH, HintTier.PARTIAL)
    answered = replace(s, turns=(*s.turns, turn(5, Role.CANDIDATE, 2)))
    assert next_hint_tier(answered) is HintTier.NUDGE


# --- the debrief ---------------------------------------------------------------------


def make_debrief(round_: Round, scores: list[int], hints: list[HintTier]) -> Debrief:
    return Debrief(
        round=round_,
        dimensions=tuple(
            DimensionScore(dimension=d, score=s)
            for d, s in zip(dimensions_for(round_), scores, strict=True)
        ),
        hint_tiers=tuple(hints),
    )


scores_st = st.lists(st.integers(1, 5), min_size=4, max_size=4)
hints_st = st.lists(st.sampled_from(list(HintTier)), max_size=8)
rounds_st = st.sampled_from(list(Round))


@given(rounds_st, scores_st, hints_st)
def test_overall_stays_in_range(round_, scores, hints):
    assert 0 <= make_debrief(round_, scores, hints).overall <= 100


@given(rounds_st, scores_st, hints_st, st.integers(0, 3))
def test_a_better_dimension_never_lowers_overall(round_, scores, hints, index):
    better = list(scores)
    better[index] = min(5, better[index] + 1)
    assert (
        make_debrief(round_, better, hints).overall >= make_debrief(round_, scores, hints).overall
    )


@given(rounds_st, scores_st, hints_st, st.sampled_from(list(HintTier)))
def test_another_hint_never_raises_overall(round_, scores, hints, extra):
    with_extra = make_debrief(round_, scores, [*hints, extra]).overall
    assert with_extra <= make_debrief(round_, scores, hints).overall


@given(rounds_st, scores_st, hints_st)
def test_overall_survives_a_json_round_trip_and_ignores_a_supplied_overall(round_, scores, hints):
    debrief = make_debrief(round_, scores, hints)
    data = debrief.model_dump(mode="json")
    assert data["overall"] == debrief.overall
    data["overall"] = 100
    assert parse_debrief(data, bank().taxonomy).overall == debrief.overall


def test_overall_ends_and_the_round_decides_the_dimensions():
    assert make_debrief(Round.CODING, [5, 5, 5, 5], []).overall == 100
    assert make_debrief(Round.CODING, [5, 5, 5, 5], [HintTier.PARTIAL]).overall == 90
    assert make_debrief(Round.CODING, [1, 1, 1, 1], []).overall == 0
    assert dimensions_for(Round.BEHAVIORAL)[0] is Dimension.STAR
    with pytest.raises(ValidationError):
        Debrief(
            round=Round.BEHAVIORAL,
            dimensions=tuple(
                DimensionScore(dimension=d, score=3) for d in dimensions_for(Round.CODING)
            ),
        )


def test_recommended_topics_must_be_taxonomy_ids():
    data = make_debrief(Round.CODING, [3, 3, 3, 3], []).model_dump(mode="json")
    ok = parse_debrief(
        {**data, "recommended_topics": ["algorithms", "algorithms"]}, bank().taxonomy
    )
    assert ok.recommended_topics == ("algorithms",)
    with pytest.raises(ValidationError):
        parse_debrief({**data, "recommended_topics": ["quantum-tea"]}, bank().taxonomy)


def test_render_shows_scores_hints_and_study_advice():
    debrief = make_debrief(Round.CODING, [4, 3, 3, 2], [HintTier.NUDGE]).model_copy(
        update={"recommended_topics": ("algorithms",), "improvements": ("State complexity.",)}
    )
    text = render_debrief(debrief, bank().taxonomy)
    assert f"{debrief.overall}/100" in text
    assert "nudge" in text and "State complexity." in text
    assert bank().taxonomy.topic("algorithms").study in text


@given(st.floats(0, 1), st.floats(0, 1))
def test_offline_dimension_scores_are_in_range_and_track_credit(low, high):
    low, high = sorted((low, high))
    question = next(q for q in bank().questions if q.kind is Kind.OPEN)
    grade = grade_open_offline(question, "x")

    def first(credit: float) -> tuple[DimensionScore, ...]:
        g = replace(grade, credit=credit)
        return dimension_scores(Round.CODING, [(question, g, ["some answer text"])])

    for dims in (first(low), first(high)):
        assert all(1 <= d.score <= 5 for d in dims)
    assert first(high)[0].score >= first(low)[0].score
