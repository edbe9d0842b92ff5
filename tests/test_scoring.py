"""Points and streaks: the rules in the README, as properties."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.scoring import compute_streak, points_for

START = date(2026, 1, 1)


def days(n: int) -> list[date]:
    return [START + timedelta(days=i) for i in range(n)]


def test_points_scale_with_difficulty_and_credit():
    assert points_for(1, 1.0) == 10 and points_for(3, 1.0) == 30
    assert points_for(2, 0.5) == 10
    assert points_for(2, 7.0) == 20 and points_for(2, -1) == 0


def test_a_missed_day_breaks_a_short_streak():
    posted = days(5)
    streak = compute_streak(posted, [posted[0], posted[1], posted[3], posted[4]])
    assert (streak.current, streak.best) == (2, 2)


def test_seven_answered_days_earn_a_freeze_that_forgives_one_miss():
    posted = days(10)
    answered = posted[:7] + posted[8:]  # missed day 8 after a 7-day run
    streak = compute_streak(posted, answered)
    assert streak.current == 9 and streak.freezes_used == 1 and streak.freezes == 0


def test_only_one_freeze_is_held():
    posted = days(16)
    answered = posted[:14]  # two 7-day runs, then two missed days
    streak = compute_streak(posted, answered)
    assert streak.current == 0 and streak.best == 14 and streak.freezes_used == 1


def test_unposted_days_do_not_break_the_streak():
    posted = [START, START + timedelta(days=3), START + timedelta(days=10)]  # pauses between
    assert compute_streak(posted, posted).current == 3


@given(st.lists(st.booleans(), max_size=60))
def test_streak_properties(pattern):
    posted = days(len(pattern))
    answered = [d for d, hit in zip(posted, pattern, strict=True) if hit]
    streak = compute_streak(posted, answered)
    assert 0 <= streak.current <= streak.best <= len(answered)
    assert streak.freezes in (0, 1)
    # Answering one more day can only extend the current streak.
    if len(answered) < len(posted) and pattern and not pattern[-1]:
        better = compute_streak(posted, [*answered, posted[-1]])
        assert better.current >= streak.current


@given(st.integers(1, 3), st.floats(0, 1), st.floats(0, 1))
def test_more_credit_never_earns_fewer_points(difficulty, a, b):
    low, high = sorted((a, b))
    assert points_for(difficulty, low) <= points_for(difficulty, high)
