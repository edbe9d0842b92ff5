"""When a server's daily question is posted and closed, in its own local time.

A server posts at ``post_time`` local time on the chosen weekdays. Each
*local date* is one slot, so a DST fold cannot produce two posts and a gap
cannot swallow a day: a post time that does not exist on a spring-forward day
resolves to the same instant one hour later by the wall clock, as zoneinfo
does with ``fold=0``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.domain.errors import InvalidInputError

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIN_WINDOW = timedelta(minutes=10)
MAX_WINDOW = timedelta(hours=23)
_TIME = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")


def parse_post_time(text: str) -> time:
    """``"HH:MM"`` (24-hour) to a time; raises InvalidInputError otherwise."""
    match = _TIME.match(text)
    if not match:
        raise InvalidInputError(f"`{text[:20]}` is not a time. Use 24-hour HH:MM, like 09:00.")
    return time(int(match.group(1)), int(match.group(2)))


def parse_timezone(name: str) -> ZoneInfo:
    """An IANA zone such as ``Europe/London``; raises InvalidInputError otherwise."""
    cleaned = name.strip()
    if not re.fullmatch(r"[A-Za-z0-9_+\-/]{1,64}", cleaned) or cleaned not in _zones():
        raise InvalidInputError(
            f"`{cleaned[:40]}` is not a time zone I know. Use an IANA name like Europe/London."
        )
    try:
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(f"`{cleaned[:40]}` is not a time zone I know.") from None


@cache
def _zones() -> frozenset[str]:
    """The IANA zone names, read from disk once."""
    return frozenset(available_timezones())


def search_timezones(prefix: str, limit: int = 25) -> list[str]:
    """Zones containing ``prefix`` (case-insensitive), for autocomplete."""
    needle = prefix.strip().lower().replace(" ", "_")
    matches = sorted(zone for zone in _zones() if needle in zone.lower())
    return matches[:limit]


def parse_weekdays(text: str) -> frozenset[int]:
    """``"mon,wed,fri"``, ``"weekdays"``, ``"daily"`` to weekday numbers (Monday is 0)."""
    cleaned = text.strip().lower()
    if cleaned in {"daily", "every day", "all", ""}:
        return frozenset(range(7))
    if cleaned in {"weekdays", "mon-fri"}:
        return frozenset(range(5))
    days = set()
    for part in re.split(r"[\s,]+", cleaned):
        key = part[:3]
        if key not in WEEKDAY_NAMES:
            raise InvalidInputError(
                f"`{part[:12]}` is not a day. Use names like mon,wed,fri, or weekdays, or daily."
            )
        days.add(WEEKDAY_NAMES.index(key))
    return frozenset(days)


def format_weekdays(days: frozenset[int]) -> str:
    if days == frozenset(range(7)):
        return "every day"
    return ", ".join(WEEKDAY_NAMES[d].title() for d in sorted(days))


@dataclass(frozen=True)
class Schedule:
    """A server's posting schedule. ``window`` is how long answers stay open."""

    post_time: time
    zone: ZoneInfo
    weekdays: frozenset[int]
    window: timedelta

    def __post_init__(self) -> None:
        if not self.weekdays:
            raise InvalidInputError("Choose at least one day of the week.")
        if not MIN_WINDOW <= self.window <= MAX_WINDOW:
            raise InvalidInputError(
                "The reveal must come 10 minutes to 23 hours after the post, on the same cycle."
            )

    def is_scheduled(self, local_date: date) -> bool:
        return local_date.weekday() in self.weekdays

    def post_at(self, local_date: date) -> datetime:
        """The UTC instant of ``local_date``'s post (a DST gap moves it forward)."""
        local = datetime.combine(local_date, self.post_time, tzinfo=self.zone)
        return local.astimezone(UTC)

    def closes_at(self, local_date: date) -> datetime:
        return self.post_at(local_date) + self.window

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def due_slot(self, now: datetime) -> date | None:
        """Today's local date if its post is due and its answers still open, else None.

        This is the catch-up rule: a bot down at post time and back the same cycle
        posts late, once; a cycle that has closed is never posted.
        """
        today = self.local_date(now)
        for candidate in (today, today - timedelta(days=1)):
            if self.is_scheduled(candidate) and self.post_at(candidate) <= now < self.closes_at(
                candidate
            ):
                return candidate
        return None

    def cohort_day(self, cohort_start: date, local_date: date) -> int:
        """Scheduled days from ``cohort_start`` up to and including ``local_date``.

        Counting scheduled days, not calendar days, means a server posting on
        weekdays still walks through every day of the plan.
        """
        if local_date < cohort_start:
            return 0
        full_weeks, rest = divmod((local_date - cohort_start).days + 1, 7)
        count = full_weeks * len(self.weekdays)
        for offset in range(rest):
            if self.is_scheduled(cohort_start + timedelta(days=full_weeks * 7 + offset)):
                count += 1
        return count


_DURATION = re.compile(r"^\s*(?:(\d{1,2})\s*h)?\s*(?:(\d{1,4})\s*m(?:in)?)?\s*$", re.I)


def parse_reveal(text: str, post_time: time) -> timedelta:
    """The answer window from a reveal time (``"21:00"``) or a duration (``"12h"``, ``"90m"``).

    A reveal time earlier than the post time is an error, not "tomorrow": a
    window spanning midnight is given as a duration.
    """
    cleaned = text.strip()
    if _TIME.match(cleaned):
        reveal = parse_post_time(cleaned)
        minutes = (reveal.hour * 60 + reveal.minute) - (post_time.hour * 60 + post_time.minute)
        if minutes <= 0:
            raise InvalidInputError(
                f"The reveal ({reveal:%H:%M}) must come after the post ({post_time:%H:%M}). "
                "For a window past midnight give a duration such as 20h."
            )
        return timedelta(minutes=minutes)
    match = _DURATION.match(cleaned)
    if not cleaned or not match or not any(match.groups()):
        raise InvalidInputError(
            f"`{cleaned[:20]}` is neither a reveal time (21:00) nor a duration (12h, 90m)."
        )
    hours, minutes = (int(g) if g else 0 for g in match.groups())
    return timedelta(hours=hours, minutes=minutes)
