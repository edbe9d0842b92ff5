"""The clock: time used and left, the current phase, the warning and idleness.

"now" is always an argument; paused time never counts against the member.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from bot.domain.interview._rounds import Phase
from bot.domain.interview._session import InterviewSession, Role, SessionStatus, TurnKind

WARNING_BEFORE = timedelta(minutes=5)
IDLE_AFTER = timedelta(minutes=15)


def elapsed(session: InterviewSession, now: datetime) -> timedelta:
    """Interview time used: wall time since the stored start, minus paused time."""
    end = session.ended_at or now
    used = end - session.started_at - timedelta(seconds=session.paused_seconds)
    return max(used, timedelta(0))


def remaining(session: InterviewSession, now: datetime) -> timedelta:
    return max(session.duration - elapsed(session, now), timedelta(0))


def current_phase(session: InterviewSession, now: datetime) -> tuple[Phase, timedelta]:
    """The phase the clock is in and the time left in it (the last phase once over)."""
    used = elapsed(session, now)
    boundary = timedelta(0)
    for phase in session.spec.phases:
        boundary += session.duration * phase.share
        if used < boundary:
            return phase, boundary - used
    return session.spec.phases[-1], timedelta(0)


def _minutes(span: timedelta) -> int:
    return math.ceil(span.total_seconds() / 60)


def time_note(session: InterviewSession, now: datetime) -> str:
    """The short clock line an interviewer sees with the latest answer."""
    phase, left_in_phase = current_phase(session, now)
    return (
        f"[time: {_minutes(remaining(session, now))} of {session.minutes} min left; "
        f"phase: {phase.name} (about {_minutes(left_in_phase)} min)]"
    )


def is_over(session: InterviewSession, now: datetime) -> bool:
    return session.status is SessionStatus.ENDED or remaining(session, now) <= timedelta(0)


def needs_warning(session: InterviewSession, now: datetime) -> bool:
    """True once, in the last five minutes, until a warning turn is stored."""
    if is_over(session, now) or remaining(session, now) > WARNING_BEFORE:
        return False
    return not any(turn.kind is TurnKind.WARNING for turn in session.turns)


def is_idle(session: InterviewSession, now: datetime) -> bool:
    """No answer or hint request for IDLE_AFTER: the member walked away.

    Only the member's own actions count; the interviewer's or the bot's turns
    (a time warning, say) must not keep an abandoned mock alive.
    """
    member_turns = [
        t.at for t in session.turns if t.role is Role.CANDIDATE or t.kind is TurnKind.HINT_REQUEST
    ]
    last = max(member_turns, default=session.started_at)
    return session.status is SessionStatus.ACTIVE and now - last >= IDLE_AFTER
