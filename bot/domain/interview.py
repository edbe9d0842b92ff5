"""Mock interviews as plain data: round specs, sessions, turns and the clock rules.

Everything here is pure: "now" is always an argument, so the Discord cog, the
terminal driver and the tests all agree on what minute it is, and a session
loaded after a restart keeps counting from its stored start. Time the LLM API
was down is stored as ``paused_seconds`` and never counts against the member.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

from bot.domain.errors import InvalidInputError
from bot.domain.questions import Round, Track

MIN_MINUTES = 10
MAX_MINUTES = 60
DEFAULT_MINUTES = 30
WARNING_BEFORE = timedelta(minutes=5)
IDLE_AFTER = timedelta(minutes=15)
MESSAGE_MAX_CHARS = 4000


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
class Phase:
    """One stretch of the interview; ``share`` is its part of the total time."""

    name: str
    share: float
    topics: tuple[str, ...] = ()  # taxonomy ids this phase draws on, if any
    core: bool = True  # False for the opening, candidate questions and wrap-up


@dataclass(frozen=True)
class RoundSpec:
    round: Round
    opening: str  # how the interviewer opens this round (guidance, not a script)
    phases: tuple[Phase, ...]
    star: bool = False  # behavioral: answers are probed for situation/task/action/result

    @property
    def core_phases(self) -> tuple[Phase, ...]:
        return tuple(phase for phase in self.phases if phase.core)


def _spec(round_: Round, opening: str, core: list[Phase], star: bool = False) -> RoundSpec:
    """Wrap a round's core phases in the protocol every mock shares.

    Opening 5%, candidate questions 10%, wrap-up 5%: the core phases' shares
    are scaled into the remaining 80% so authors write them as plain weights.
    """
    total = sum(phase.share for phase in core)
    scaled = [Phase(p.name, 0.8 * p.share / total, p.topics) for p in core]
    phases = (
        Phase("opening", 0.05, core=False),
        *scaled,
        Phase("your questions", 0.10, core=False),
        Phase("wrap-up", 0.05, core=False),
    )
    return RoundSpec(round_, opening, phases, star)


ROUND_SPECS: dict[Round, RoundSpec] = {
    spec.round: spec
    for spec in (
        _spec(
            Round.CODING,
            "Agree on the problem and its constraints before any code.",
            [
                Phase("clarify", 1, ("data-structures", "python-language")),
                Phase("approach", 2, ("algorithms", "data-manipulation")),
                Phase("implement", 3, ("numerical-computing", "data-manipulation")),
                Phase("test and complexity", 2, ("algorithms",)),
            ],
        ),
        _spec(
            Round.ML_FUNDAMENTALS,
            "Start from a concrete modelling situation and widen to theory.",
            [
                Phase("algorithms", 3, ("linear-models", "tree-ensembles", "svms", "clustering")),
                Phase("evaluation", 2, ("classification-metrics", "regression-metrics")),
                Phase("generalisation", 2, ("bias-variance", "cross-validation")),
            ],
        ),
        _spec(
            Round.DEEP_LEARNING,
            "Open with an architecture choice, then dig into training it.",
            [
                Phase("architecture", 3, ("cnns", "rnns-transformers", "generative-models")),
                Phase("training", 3, ("optimization", "regularization", "transfer-learning")),
                Phase("scale and debugging", 2, ("distributed-training", "pytorch")),
            ],
        ),
        _spec(
            Round.SYSTEM_DESIGN,
            "Give a product goal and let the candidate drive the requirements.",
            [
                Phase("requirements", 1, ("recommendation-systems", "search-ranking")),
                Phase("data", 2, ("feature-stores", "feature-pipelines", "feature-selection")),
                Phase("model", 2, ("fraud-detection", "nlp-pipelines", "explainability")),
                Phase("evaluation", 1.5, ("deployment", "monitoring", "data-drift")),
                Phase("serving", 1.5, ("online-serving", "batch-serving")),
            ],
        ),
        _spec(
            Round.SPECIALIZATION,
            "Ask which work in the track the candidate knows best, then probe it.",
            [Phase("foundations", 2), Phase("methods", 3), Phase("applied problem", 3)],
        ),
        _spec(
            Round.CASE_STUDY,
            "Hand over a vague business problem and watch how it gets framed.",
            [
                Phase("framing", 2, ("problem-framing",)),
                Phase("data", 2, ("data-exploration",)),
                Phase("modelling", 2, ("modeling-approach",)),
                Phase("evaluation and impact", 2, ("experimentation", "business-impact")),
            ],
        ),
        _spec(
            Round.BEHAVIORAL,
            "Put the candidate at ease, then ask for specific past situations.",
            [
                Phase("leadership", 1, ("project-leadership",)),
                Phase("collaboration", 1, ("collaboration",)),
                Phase("failure and ethics", 1, ("failure-learning", "ethics-bias")),
            ],
            star=True,
        ),
    )
}


@dataclass(frozen=True)
class MockSetup:
    """A validated request to start a mock."""

    round: Round
    track: Track | None
    minutes: int
    mode: Mode


def _choices(values: list[str]) -> str:
    return ", ".join(f"`{value}`" for value in values)


def validate_setup(round_: str, track: str | None, minutes: int, mode: str) -> MockSetup:
    """Check a start request; raises InvalidInputError naming the valid values."""
    try:
        parsed_round = Round(round_.strip().lower())
    except ValueError:
        raise InvalidInputError(
            f"There is no round called `{round_[:30]}`. Pick one of {_choices(list(Round))}."
        ) from None
    parsed_track = None
    if parsed_round is Round.SPECIALIZATION:
        try:
            parsed_track = Track((track or "").strip().lower())
        except ValueError:
            raise InvalidInputError(
                f"A specialization mock needs a track: one of {_choices(list(Track))}."
            ) from None
    elif track:
        raise InvalidInputError("Only the `specialization` round takes a track; leave it empty.")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise InvalidInputError(
            f"A mock lasts {MIN_MINUTES} to {MAX_MINUTES} minutes (default {DEFAULT_MINUTES})."
        )
    try:
        parsed_mode = Mode(mode.strip().lower())
    except ValueError:
        raise InvalidInputError(f"Mode must be one of {_choices(list(Mode))}.") from None
    return MockSetup(parsed_round, parsed_track, minutes, parsed_mode)


def clean_candidate_message(text: str) -> str:
    """A candidate's message ready to store; raises InvalidInputError if unusable.

    Checked before anything is stored, so a refused message leaves no turn.
    """
    cleaned = unicodedata.normalize("NFKC", text)
    cleaned = "".join(ch for ch in cleaned if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned).strip()
    if not cleaned:
        raise InvalidInputError("That message is empty. Type your answer and send it again.")
    if len(cleaned) > MESSAGE_MAX_CHARS:
        raise InvalidInputError(
            f"That message is {len(cleaned):,} characters; please shorten it to "
            f"{MESSAGE_MAX_CHARS:,} or split it over two messages."
        )
    return cleaned


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


def next_hint_tier(session: InterviewSession) -> HintTier:
    """The tier a hint request gets now; raises InvalidInputError after the last tier.

    Tiers climb while the candidate stays stuck and restart at a nudge once they
    answer again: a hint ladder is for getting unstuck on the current point.
    """
    since_answer = 0
    for turn in reversed(session.turns):
        if turn.role is Role.CANDIDATE:
            break
        since_answer += turn.kind is TurnKind.HINT_REQUEST
    if since_answer >= len(HintTier):
        raise InvalidInputError("That was the last hint for this point. Give it your best try.")
    return HintTier(since_answer + 1)
