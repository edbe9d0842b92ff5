"""The schedule: local post times across DST and odd offsets, catch-up, cohort days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidInputError
from bot.domain.schedule import (
    Schedule,
    parse_post_time,
    parse_timezone,
    parse_weekdays,
    search_timezones,
)

DAILY = frozenset(range(7))


def schedule(zone: str, at: str = "09:00", window_h: float = 12) -> Schedule:
    return Schedule(parse_post_time(at), ZoneInfo(zone), DAILY, timedelta(hours=window_h))


@pytest.mark.parametrize("text", ["9", "24:00", "09:60", "nine", "", "09:00; DROP TABLE guilds"])
def test_bad_times_are_refused(text):
    with pytest.raises(InvalidInputError):
        parse_post_time(text)


def test_good_times_parse():
    assert parse_post_time("9:05") == time(9, 5)
    assert parse_post_time(" 23:59 ") == time(23, 59)


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "UTC'; --", "../../etc/passwd", "x" * 200])
def test_unknown_zones_are_refused(name):
    with pytest.raises(InvalidInputError):
        parse_timezone(name)


def test_zone_search_finds_by_fragment():
    assert "Asia/Kathmandu" in search_timezones("kathm")
    assert len(search_timezones("a")) <= 25


def test_weekdays_parse():
    assert parse_weekdays("weekdays") == frozenset(range(5))
    assert parse_weekdays("Mon, wed,FRI") == frozenset({0, 2, 4})
    with pytest.raises(InvalidInputError):
        parse_weekdays("mon,funday")


@pytest.mark.parametrize(
    ("zone", "local_day", "expected_utc"),
    [
        # New York springs forward on 2026-03-08: 09:00 is EDT (UTC-4).
        ("America/New_York", date(2026, 3, 7), datetime(2026, 3, 7, 14, 0, tzinfo=UTC)),
        ("America/New_York", date(2026, 3, 8), datetime(2026, 3, 8, 13, 0, tzinfo=UTC)),
        # London falls back on 2026-10-25.
        ("Europe/London", date(2026, 10, 24), datetime(2026, 10, 24, 8, 0, tzinfo=UTC)),
        ("Europe/London", date(2026, 10, 25), datetime(2026, 10, 25, 9, 0, tzinfo=UTC)),
        # Kathmandu is UTC+5:45 all year.
        ("Asia/Kathmandu", date(2026, 6, 1), datetime(2026, 6, 1, 3, 15, tzinfo=UTC)),
        # Lord Howe shifts by 30 minutes: +11 in summer, +10:30 in winter.
        ("Australia/Lord_Howe", date(2026, 1, 15), datetime(2026, 1, 14, 22, 0, tzinfo=UTC)),
        ("Australia/Lord_Howe", date(2026, 7, 15), datetime(2026, 7, 14, 22, 30, tzinfo=UTC)),
    ],
)
def test_post_time_is_local_across_dst_and_odd_offsets(zone, local_day, expected_utc):
    assert schedule(zone).post_at(local_day) == expected_utc


def test_a_post_time_inside_the_spring_gap_moves_forward_once():
    # 02:30 does not exist in New York on 2026-03-08.
    s = schedule("America/New_York", "02:30")
    instant = s.post_at(date(2026, 3, 8))
    assert instant.astimezone(ZoneInfo("America/New_York")).time() == time(3, 30)


def test_a_post_time_in_the_fall_fold_happens_once_per_local_date():
    s = schedule("America/New_York", "01:30")
    first = s.post_at(date(2026, 11, 1))
    assert s.local_date(first) == date(2026, 11, 1)
    # The repeated 01:30 is not a second slot: the next one is a day (25 h) later.
    assert s.post_at(date(2026, 11, 2)) - first == timedelta(hours=25)


@given(
    zone=st.sampled_from(
        ["America/New_York", "Europe/London", "Asia/Kathmandu", "Australia/Lord_Howe", "UTC"]
    ),
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
)
def test_every_local_day_has_exactly_one_slot_in_order(zone, start, hour, minute):
    s = Schedule(time(hour, minute), ZoneInfo(zone), DAILY, timedelta(hours=1))
    instants = [s.post_at(start + timedelta(days=i)) for i in range(3)]
    assert instants == sorted(instants) and len(set(instants)) == 3
    for offset, instant in enumerate(instants):
        assert s.local_date(instant) == start + timedelta(days=offset)


def test_catch_up_posts_late_the_same_cycle_but_never_a_closed_day():
    s = schedule("Europe/London", "09:00", window_h=12)
    day = date(2026, 6, 10)
    assert s.due_slot(datetime(2026, 6, 10, 7, 59, tzinfo=UTC)) is None  # before 09:00 BST
    assert s.due_slot(datetime(2026, 6, 10, 8, 0, tzinfo=UTC)) == day
    assert s.due_slot(datetime(2026, 6, 10, 19, 59, tzinfo=UTC)) == day  # late, still open
    assert s.due_slot(datetime(2026, 6, 10, 20, 0, tzinfo=UTC)) is None  # closed: skipped


def test_unscheduled_days_are_not_due_and_cohort_days_count_scheduled_days():
    s = Schedule(time(9), ZoneInfo("UTC"), parse_weekdays("weekdays"), timedelta(hours=8))
    saturday = date(2026, 11, 28)
    assert s.due_slot(datetime(2026, 11, 28, 10, tzinfo=UTC)) is None
    monday = date(2026, 11, 23)
    assert s.cohort_day(monday, monday) == 1
    assert s.cohort_day(monday, saturday) == 5
    assert s.cohort_day(monday, monday + timedelta(days=7)) == 6
    assert s.cohort_day(monday, monday - timedelta(days=1)) == 0


def test_a_reveal_before_the_post_is_refused():
    with pytest.raises(InvalidInputError):
        Schedule(time(9), ZoneInfo("UTC"), DAILY, timedelta(minutes=-30))
    with pytest.raises(InvalidInputError):
        Schedule(time(9), ZoneInfo("UTC"), frozenset(), timedelta(hours=2))
