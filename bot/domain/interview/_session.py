"""A mock as stored: the session, its turns and the kinds they come in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

from bot.domain.interview._rounds import ROUND_SPECS, RoundSpec
from bot.domain.questions import Round, Track


class Mode(StrEnum):
    PRACTICE = "practice"  # feedback after each answer
    REAL = "real"  # feedback only in the debrief


class Role(StrEnum):
    INTERVIEWER = "interviewer"
    CANDIDATE = "candidate"
    SYSTEM = "system"


class TurnKind(StrEnum):
    """Why a turn exists; lets any interviewer (or a restart) read the log back."""

    MESSAGE = "message"
    HINT_REQUEST = "hint_request"  # the logged request; its tier is what costs credit
    HINT = "hint"
    WARNING = "warning"
    NOTICE = "notice"  # e.g. "this turn ran offline"
    WRAP_UP = "wrap_up"


class SessionStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class HintTier(IntEnum):
    """Hints escalate; each step reveals more and costs more of the overall score."""

    NUDGE = 1
    APPROACH = 2
    PARTIAL = 3

    @property
    def cost(self) -> int:
        """Points taken off the 0-100 overall score when this tier is used."""
        return {HintTier.NUDGE: 2, HintTier.APPROACH: 5, HintTier.PARTIAL: 10}[self]


@dataclass(frozen=True)
class MockSetup:
    """A validated request to start a mock."""

    round: Round
    track: Track | None
    minutes: int
    mode: Mode


@dataclass(frozen=True)
class Turn:
    """One stored message of the interview, in ``seq`` order."""

    seq: int
    role: Role
    content: str
    at: datetime
    kind: TurnKind = TurnKind.MESSAGE
    hint_tier: HintTier | None = None


@dataclass(frozen=True)
class NewTurn:
    """A turn about to be stored; the repository assigns its ``seq``."""

    role: Role
    content: str
    at: datetime
    kind: TurnKind = TurnKind.MESSAGE
    hint_tier: HintTier | None = None


@dataclass(frozen=True)
class InterviewSession:
    """A mock interview as stored, with its turns when loaded whole."""

    id: int
    guild_id: int
    user_id: int
    round: Round
    track: Track | None
    mode: Mode
    minutes: int
    started_at: datetime
    status: SessionStatus = SessionStatus.ACTIVE
    paused_seconds: float = 0.0
    hints_used: int = 0
    offline: bool = False
    ended_at: datetime | None = None
    score: float | None = None
    debrief_json: str | None = None
    turns: tuple[Turn, ...] = ()

    @property
    def spec(self) -> RoundSpec:
        return ROUND_SPECS[self.round]

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.minutes)

    @property
    def hint_tiers(self) -> tuple[HintTier, ...]:
        """Every hint requested, in order: what the debrief charges for."""
        return tuple(
            t.hint_tier for t in self.turns if t.kind is TurnKind.HINT_REQUEST and t.hint_tier
        )
