"""Points and streaks: pure functions over a member's history.

Rules (also in the README):

- A daily answer earns ``POINTS_BY_DIFFICULTY[difficulty] * credit`` points,
  rounded to one decimal: 10, 20 or 30 for a fully right answer.
- A streak counts consecutive *scheduled* days the member answered. Days with
  no post (unscheduled weekdays, a paused server) neither extend nor break it.
- Every 7 answered days in a row earn a freeze (at most one held). A missed day
  with a freeze in hand uses it and keeps the streak; without one the streak
  restarts. So one missed day a week is forgiven.
- Reviews and mock interviews earn no daily points.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

POINTS_BY_DIFFICULTY = {1: 10, 2: 20, 3: 30}
FREEZE_EVERY = 7
MAX_FREEZES = 1


def points_for(difficulty: int, credit: float) -> float:
    """Points for one answer; credit is clamped to [0, 1]."""
    return round(POINTS_BY_DIFFICULTY[difficulty] * min(max(credit, 0.0), 1.0), 1)


@dataclass(frozen=True)
class Streak:
    current: int
    best: int
    freezes: int
    freezes_used: int


def compute_streak(posted_days: Sequence[date], answered: Iterable[date]) -> Streak:
    """The streak over the server's posted days (oldest first, closed days only,
    plus today when the member already answered it)."""
    answered_days = set(answered)
    current = best = freezes = used = run_since_freeze = 0
    for day in sorted(posted_days):
        if day in answered_days:
            current += 1
            run_since_freeze += 1
            if run_since_freeze >= FREEZE_EVERY:
                freezes = min(freezes + 1, MAX_FREEZES)
                run_since_freeze = 0
        elif freezes:
            freezes -= 1
            used += 1
        else:
            current = run_since_freeze = 0
        best = max(best, current)
    return Streak(current=current, best=best, freezes=freezes, freezes_used=used)
