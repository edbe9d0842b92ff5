"""Mock interviews as plain data: round specs, sessions, turns and the clock rules.

Everything here is pure: "now" is always an argument, so the Discord cog, the
terminal driver and the tests all agree on what minute it is, and a session
loaded after a restart keeps counting from its stored start. Time the LLM API
was down is stored as ``paused_seconds`` and never counts against the member.

Layout: ``_rounds`` (each round's phases and opening), ``_session`` (sessions,
turns and their kinds), ``_validation`` (checking a start request and a
candidate's message), ``_clock`` (elapsed and remaining time, phase, warning
and idleness) and ``_hints`` (which hint tier a request gets).
"""

from bot.domain.interview._clock import (
    current_phase,
    elapsed,
    is_idle,
    is_over,
    needs_warning,
    remaining,
    time_note,
)
from bot.domain.interview._hints import next_hint_tier
from bot.domain.interview._rounds import ROUND_SPECS, Phase, RoundSpec
from bot.domain.interview._session import (
    HintTier,
    InterviewSession,
    MockSetup,
    Mode,
    NewTurn,
    Role,
    SessionStatus,
    Turn,
    TurnKind,
)
from bot.domain.interview._validation import (
    DEFAULT_MINUTES,
    MESSAGE_MAX_CHARS,
    clean_candidate_message,
    validate_setup,
)

__all__ = [
    "DEFAULT_MINUTES",
    "MESSAGE_MAX_CHARS",
    "ROUND_SPECS",
    "HintTier",
    "InterviewSession",
    "MockSetup",
    "Mode",
    "NewTurn",
    "Phase",
    "Role",
    "RoundSpec",
    "SessionStatus",
    "Turn",
    "TurnKind",
    "clean_candidate_message",
    "current_phase",
    "elapsed",
    "is_idle",
    "is_over",
    "needs_warning",
    "next_hint_tier",
    "remaining",
    "time_note",
    "validate_setup",
]
