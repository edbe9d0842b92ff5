"""Pure progress statistics: ties, shrinkage, periods, weakest topics, calibration, ids."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.discord_ui import ids_progress as pids
from bot.domain.models import Confidence
from bot.domain.progress import (
    AnswerRecord,
    Period,
    Tally,
    calibration,
    cumulative_points,
    period_range,
    rank_of,
    rank_with_ties,
    shrunk_accuracy,
    tally_by,
    weakest_topics,
)

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def record(topic, credit, confidence=None, day=2, points=10.0):
    return AnswerRecord(date(2026, 3, day), topic, "coding", credit, points, AT, confidence)


def test_ties_share_a_rank_and_the_next_rank_skips():
    ranked = rank_with_ties([("a", 30), ("b", 20), ("c", 20), ("d", 10)], lambda x: x[1])
    assert [(r.item[0], r.rank, r.tied) for r in ranked] == [
        ("a", 1, False),
        ("b", 2, True),
        ("c", 2, True),
        ("d", 4, False),
    ]


def test_float_noise_does_not_split_a_tie():
    ranked = rank_with_ties([0.1 + 0.2, 0.3], float)
    assert [r.rank for r in ranked] == [1, 1]


@given(st.lists(st.integers(0, 50), min_size=1, max_size=40))
def test_ranks_are_competition_ranks(scores):
    ranked = rank_with_ties(scores, float)
    for r in ranked:
        assert r.rank == 1 + sum(s > r.item for s in scores)
        assert r.tied == (scores.count(r.item) > 1)


def test_rank_of_a_hidden_member_counts_only_visible_others():
    rows = [(1, False, 10.0), (2, True, 50.0), (3, False, 30.0)]
    public = rank_of(rows, 1, ident=lambda r: r[0], hidden=lambda r: r[1], score=lambda r: r[2])
    hidden = rank_of(rows, 2, ident=lambda r: r[0], hidden=lambda r: r[1], score=lambda r: r[2])
    assert public is not None and public.rank == 2  # member 2 is hidden, not counted
    assert hidden is not None and hidden.rank == 1


def test_one_of_one_does_not_beat_forty_five_of_fifty():
    mean = 0.6
    assert shrunk_accuracy(1, 1, mean) < shrunk_accuracy(45, 50, mean)
    assert shrunk_accuracy(0, 0, mean) == mean


@given(st.integers(0, 500), st.floats(0, 1), st.floats(0, 1))
def test_shrunk_accuracy_lies_between_raw_and_prior(n, share, prior):
    credit = n * share
    value = shrunk_accuracy(credit, n, prior)
    raw = share if n else prior
    assert min(raw, prior) - 1e-9 <= value <= max(raw, prior) + 1e-9


@pytest.mark.parametrize(
    ("period", "today", "expected"),
    [
        (Period.WEEK, date(2026, 3, 12), (date(2026, 3, 9), date(2026, 3, 15))),
        (Period.WEEK, date(2026, 3, 9), (date(2026, 3, 9), date(2026, 3, 15))),
        (Period.SEASON, date(2026, 2, 14), (date(2026, 2, 1), date(2026, 2, 28))),
        (Period.SEASON, date(2026, 12, 31), (date(2026, 12, 1), date(2026, 12, 31))),
        (Period.ALL, date(2026, 3, 12), (None, None)),
    ],
)
def test_periods(period, today, expected):
    assert period_range(period, today) == expected


def test_weakest_topics_need_three_answers():
    by_topic = tally_by(
        [record("a", 0.0), record("a", 0.5), record("a", 1.0), record("b", 0.0), record("b", 0.0)]
        + [record("c", 1.0)] * 3,
        lambda r: r.topic,
    )
    assert by_topic["b"].few and not by_topic["a"].few
    assert [w.topic for w in weakest_topics(by_topic)] == ["a", "c"]


def test_calibration_counts_sure_answers_and_confidently_wrong_topics():
    c = calibration(
        [
            record("a", 1.0, Confidence.SURE),
            record("a", 0.0, Confidence.SURE),
            record("b", 0.9, Confidence.SURE),
            record("b", 0.0, Confidence.GUESS),
            record("c", 0.0),
        ]
    )
    assert (c.sure, c.sure_right) == (3, 2)
    assert c.rate == pytest.approx(2 / 3)
    assert c.by_topic == {"a": (2, 1), "b": (1, 1)}
    assert c.confidently_wrong == ("a",)


def test_cumulative_points_per_day():
    series = cumulative_points(
        [record("a", 1, day=2), record("a", 1, day=2), record("a", 1, day=4)]
    )
    assert [(p.day.day, p.total) for p in series] == [(2, 20.0), (4, 30.0)]


def test_tally_accuracy():
    assert Tally().accuracy is None
    assert Tally().add(1.0).add(0.5).accuracy == 0.75


@given(
    st.integers(0, 10**6),
    st.sampled_from(["points", "accuracy"]),
    st.sampled_from(["week", "season", "all"]),
    st.sampled_from([None, "ml-fundamentals", "system-design", "case-study"]),
)
def test_board_ids_round_trip_and_fit_discord(page, kind, period, round_):
    query = pids.BoardQuery(kind, period, round_)
    encoded = pids.board_page(page, query)
    assert encoded.startswith("sb:1:") and encoded.isascii() and len(encoded) <= 100
    parsed = pids.decode(encoded)
    assert parsed is not None and parsed.number == page
    assert pids.parse_board(parsed.arg) == query


def test_other_ids_fit_and_foreign_ids_are_refused():
    for encoded in (
        pids.share(2**63 - 1),
        pids.review_choice("mlf-001", 4),
        pids.review_open("beh-012"),
        pids.review_modal("beh-012"),
        pids.review_next(),
    ):
        assert encoded.startswith("sb:1:") and len(encoded) <= 100
        assert pids.decode(encoded) is not None
    assert pids.decode("sb:1:ans:5:1") is None
    assert pids.decode("sb:1:lb:1:points.week.all:x") is None
