"""Running a mock interview: the use cases the Discord cog and the terminal share.

The database is the source of truth. A candidate's message is stored before the
interviewer sees it and each interviewer message is stored once complete, so a
restart loses at most a reply in flight; the session then continues from its
stored turns and its stored start time. When the primary interviewer (Claude)
is unreachable, that turn is written by the fallback (offline) interviewer after
one notice line, and the time lost waiting is added to ``paused_seconds``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.debrief import Debrief
from bot.domain.errors import (
    ClosedError,
    InterviewerUnavailableError,
    InvalidInputError,
    NotFoundError,
    StudybotError,
)
from bot.domain.interview import (
    DEFAULT_MINUTES,
    HintTier,
    InterviewSession,
    NewTurn,
    Role,
    SessionStatus,
    TurnKind,
    clean_candidate_message,
    current_phase,
    is_idle,
    is_over,
    needs_warning,
    next_hint_tier,
    remaining,
    time_note,
    validate_setup,
)
from bot.domain.interview_ports import InterviewRepository
from bot.domain.interviewer import InterviewContext, Interviewer
from bot.domain.ports import Clock

log = logging.getLogger(__name__)

OFFLINE_NOTICE = (
    "(The interviewer service is unreachable; the built-in interviewer takes this turn.)"
)
IDLE_NOTICE = "No answer for 15 minutes, so I've closed this mock. Here is your debrief."
BUDGET_NOTICE = (
    "(This server has used today's interviewer budget, so the built-in interviewer "
    "runs this mock until the budget resets tomorrow.)"
)


class InterruptedTurnError(InterviewerUnavailableError):
    """The interviewer failed after part of its reply was shown; nothing was stored.

    Raised only by a service built with ``interrupt_mid_stream``: the front end
    keeps the partial text, marks it interrupted and offers :meth:`MockService.retry`.
    """

    default_message = "The interviewer was interrupted. Press Retry to ask again."


class MockLimitError(StudybotError):
    """The member has started as many mocks today as this server allows."""


@dataclass(frozen=True)
class MockPolicy:
    """A server's limits for mocks; tokens count input, output and cache tokens alike."""

    daily_token_budget: int = 200_000
    mock_limit_per_member: int = 3
    private_threads: bool = True
    timezone: str = "UTC"


class PolicyRepository(Protocol):
    async def policy(self, guild_id: int) -> MockPolicy:
        """The server's policy; the defaults when the server has no settings yet."""
        ...

    async def tokens_since(self, guild_id: int, since: datetime) -> int: ...

    async def mocks_started(self, guild_id: int, user_id: int, since: datetime) -> int: ...


class ThreadLinkRepository(Protocol):
    """Which chat thread each interview runs in (the interview repository, in practice)."""

    async def set_thread(self, session_id: int, thread_id: int) -> None: ...

    async def by_thread(self, thread_id: int) -> InterviewSession | None: ...

    async def thread_of(self, session_id: int) -> int | None: ...


def day_start(now: datetime, zone: str) -> datetime:
    """Midnight of ``now``'s local day in ``zone``, in UTC (what "today" means for limits)."""
    local = now.astimezone(ZoneInfo(zone))
    return datetime.combine(local.date(), time(), tzinfo=local.tzinfo).astimezone(UTC)


DebriefListener = Callable[[InterviewSession, Debrief], Awaitable[None]]


class MockAlreadyActiveError(StudybotError):
    """The member already has an active mock in this server; ``session`` is that one."""

    def __init__(self, session: InterviewSession) -> None:
        self.session = session
        super().__init__(
            f"You already have a {session.round.value} mock running (started "
            f"{session.started_at:%H:%M} UTC). Finish or end it before starting another."
        )


class TickKind(StrEnum):
    NONE = "none"
    WARNING = "warning"
    WRAP_UP = "wrap_up"
    IDLE = "idle"


@dataclass(frozen=True)
class Tick:
    """What a periodic check did: a text to post, and the debrief if the mock ended."""

    kind: TickKind
    text: str | None = None
    debrief: Debrief | None = None


def _warning_text(session: InterviewSession, now: datetime) -> str:
    minutes = max(1, round(remaining(session, now).total_seconds() / 60))
    return f"[{minutes} minutes left: start bringing your answer to a close.]"


class MockService:
    """Mock interviews over any repository; Discord extras need the optional parts.

    ``threads`` links sessions to chat threads. ``policy`` enables the daily
    token budget (over it, the fallback writes every turn after one notice) and
    the per-member daily limit. ``interrupt_mid_stream``
    makes a failure after the first chunk raise :class:`InterruptedTurnError`
    instead of finishing the turn with the fallback.
    """

    def __init__(
        self,
        repository: InterviewRepository,
        interviewer: Interviewer,
        clock: Clock,
        fallback: Interviewer | None = None,
        *,
        policy: PolicyRepository | None = None,
        threads: ThreadLinkRepository | None = None,
        interrupt_mid_stream: bool = False,
    ) -> None:
        self._repo = repository
        self._interviewer = interviewer
        self._fallback = fallback
        self._clock = clock
        self._after_debrief: list[DebriefListener] = []
        self._policy = policy
        self._thread_links = threads
        self._interrupt_mid_stream = interrupt_mid_stream

    # --- reading ---------------------------------------------------------------------

    async def get(self, session_id: int) -> InterviewSession:
        session = await self._repo.get(session_id)
        if session is None:
            raise NotFoundError("That mock interview no longer exists.")
        return session

    async def active_for(self, guild_id: int, user_id: int) -> InterviewSession | None:
        return await self._repo.active_for(guild_id, user_id)

    async def open_sessions(self) -> list[InterviewSession]:
        """Active sessions, for re-arming timers after a restart."""
        return await self._repo.list_active()

    async def policy_for(self, guild_id: int) -> MockPolicy:
        return await self._policy.policy(guild_id) if self._policy else MockPolicy()

    async def attach_thread(self, session_id: int, thread_id: int) -> None:
        await self._threads().set_thread(session_id, thread_id)

    async def session_for_thread(self, thread_id: int) -> InterviewSession | None:
        return await self._threads().by_thread(thread_id)

    async def thread_for(self, session_id: int) -> int | None:
        return await self._threads().thread_of(session_id)

    def _threads(self) -> ThreadLinkRepository:
        if self._thread_links is None:
            raise TypeError("MockService was built without a thread repository")
        return self._thread_links

    async def _active(self, session_id: int) -> InterviewSession:
        session = await self.get(session_id)
        if session.status is not SessionStatus.ACTIVE:
            raise ClosedError("This mock has ended. Start a new one whenever you like.")
        return session

    # --- the interview ---------------------------------------------------------------

    async def start(
        self,
        guild_id: int,
        user_id: int,
        round: str,
        track: str | None = None,
        minutes: int = DEFAULT_MINUTES,
        mode: str = "real",
    ) -> tuple[InterviewSession, str]:
        """Create the session and store the interviewer's opening, which is returned.

        Raises InvalidInputError for a bad round/track/minutes/mode and
        MockAlreadyActiveError when the member already has a mock running here.
        """
        session = await self.open(guild_id, user_id, round, track, minutes, mode)
        text = "".join([chunk async for chunk in self.opening(session.id)])
        return await self.get(session.id), text

    async def open(
        self,
        guild_id: int,
        user_id: int,
        round: str,
        track: str | None = None,
        minutes: int = DEFAULT_MINUTES,
        mode: str = "real",
    ) -> InterviewSession:
        """Create the session without its opening (stream that with :meth:`opening`).

        Raises what :meth:`start` raises, and MockLimitError past the daily limit.
        """
        setup = validate_setup(round, track, minutes, mode)
        now = self._clock.now()
        existing = await self._repo.active_for(guild_id, user_id)
        if existing is not None:
            raise MockAlreadyActiveError(existing)
        if self._policy is not None:
            policy = await self._policy.policy(guild_id)
            since = day_start(now, policy.timezone)
            if await self._policy.mocks_started(guild_id, user_id, since) >= (
                policy.mock_limit_per_member
            ):
                raise MockLimitError(
                    f"You've reached this server's limit of {policy.mock_limit_per_member} "
                    "mock interviews a day. Try again tomorrow."
                )
        session = await self._repo.create(setup, guild_id, user_id, now)
        if session is None:
            existing = await self._repo.active_for(guild_id, user_id)
            if existing is None:  # it ended between the insert and this read
                return await self.open(guild_id, user_id, round, track, minutes, mode)
            raise MockAlreadyActiveError(existing)
        return session

    async def opening(self, session_id: int) -> AsyncIterator[str]:
        """Stream and store the interviewer's first message."""
        session = await self._active(session_id)
        async for chunk in self._stream(session, self._clock.now()):
            yield chunk

    async def retry(self, session_id: int) -> AsyncIterator[str]:
        """Stream again the interviewer turn that failed: the opening, a reply or a hint."""
        session = await self._active(session_id)
        last = session.turns[-1] if session.turns else None
        if last is not None and last.role is Role.INTERVIEWER:
            raise InvalidInputError("There is nothing to retry: the interviewer has answered.")
        now = self._clock.now()
        hint = last.hint_tier if last and last.kind is TurnKind.HINT_REQUEST else None
        async for chunk in self._stream(session, now, is_over(session, now), hint):
            yield chunk

    async def answer(self, session_id: int, text: str) -> AsyncIterator[str]:
        """Store the candidate's message, then stream the interviewer's reply.

        A time warning, when due, comes first as its own chunk ending in a blank
        line; once time is up the reply is the wrap-up. Errors (an empty or
        over-long message, an ended mock) are raised on first iteration, before
        anything is stored.
        """
        message = clean_candidate_message(text)
        session = await self._active(session_id)
        if any(turn.kind is TurnKind.WRAP_UP for turn in session.turns):
            raise ClosedError("Time is up for this mock. End it to see your debrief.")
        now = self._clock.now()
        session = await self._append(session, NewTurn(Role.CANDIDATE, message, now))
        if needs_warning(session, now):
            warning = _warning_text(session, now)
            session = await self._append(
                session, NewTurn(Role.SYSTEM, warning, now, TurnKind.WARNING)
            )
            yield warning + "\n\n"
        async for chunk in self._stream(session, now, wrap_up=is_over(session, now)):
            yield chunk

    async def hint(self, session_id: int) -> AsyncIterator[str]:
        """Log a hint request at the next tier (it costs credit), then stream the hint."""
        session = await self._active(session_id)
        now = self._clock.now()
        if is_over(session, now):
            raise ClosedError("Time is up for this mock. End it to see your debrief.")
        tier = next_hint_tier(session)
        request = f"Hint requested: {tier.name.lower()} (-{tier.cost} points)"
        session = await self._append(
            session, NewTurn(Role.SYSTEM, request, now, TurnKind.HINT_REQUEST, tier)
        )
        await self._repo.increment_hints(session.id)
        async for chunk in self._stream(session, now, hint=tier):
            yield chunk

    async def end(self, session_id: int) -> Debrief:
        """End the mock and store its debrief; ending twice returns the stored one."""
        session = await self.get(session_id)
        if session.status is SessionStatus.ENDED and session.debrief_json:
            return Debrief.model_validate_json(session.debrief_json)
        now = self._clock.now()
        context = self._context(session, now, wrap_up=True)
        primary, _ = await self._choose(session)
        try:
            debrief = await primary.debrief(context)
        except InterviewerUnavailableError:
            if self._fallback is None:
                raise
            log.warning("interviewer unavailable for debrief of mock %s", session.id)
            debrief = await self._fallback.debrief(context)
        # Hints are charged from the stored log, whatever the interviewer reported.
        debrief = debrief.model_copy(
            update={
                "hint_tiers": session.hint_tiers,
                "offline": debrief.offline or session.offline,
            }
        )
        stored = await self._repo.finish(
            session.id, now, debrief.model_dump_json(), float(debrief.overall), debrief.offline
        )
        if not stored:  # another end() won the race; its debrief is the one of record
            return await self.end(session_id)
        for listener in self._after_debrief:
            try:
                await listener(session, debrief)
            except Exception:  # a listener's failure must not lose the debrief
                log.exception("A debrief listener failed for mock %s", session.id)
        return debrief

    def add_debrief_listener(self, listener: DebriefListener) -> None:
        """Called once with the session and its debrief when a mock ends (review cards)."""
        self._after_debrief.append(listener)

    async def tick(self, session_id: int) -> Tick:
        """The periodic check a scheduler runs: warning, wrap-up at time, idle close."""
        session = await self.get(session_id)
        now = self._clock.now()
        if session.status is not SessionStatus.ACTIVE:
            return Tick(TickKind.NONE)
        if is_over(session, now):
            wrapped = any(turn.kind is TurnKind.WRAP_UP for turn in session.turns)
            text = None if wrapped else "".join([c async for c in self._stream(session, now, True)])
            return Tick(TickKind.WRAP_UP, text, await self.end(session_id))
        if is_idle(session, now):
            return Tick(TickKind.IDLE, IDLE_NOTICE, await self.end(session_id))
        if needs_warning(session, now):
            warning = _warning_text(session, now)
            await self._append(session, NewTurn(Role.SYSTEM, warning, now, TurnKind.WARNING))
            return Tick(TickKind.WARNING, warning)
        return Tick(TickKind.NONE)

    # --- plumbing --------------------------------------------------------------------

    async def _append(self, session: InterviewSession, turn: NewTurn) -> InterviewSession:
        stored = await self._repo.append_turn(session.id, turn)
        return replace(session, turns=(*session.turns, stored))

    def _context(
        self,
        session: InterviewSession,
        now: datetime,
        wrap_up: bool = False,
        hint: HintTier | None = None,
    ) -> InterviewContext:
        return InterviewContext(
            session=session,
            transcript=session.turns,
            time_note=time_note(session, now),
            mode=session.mode,
            spec=session.spec,
            phase=current_phase(session, now)[0],
            track=session.track,
            hint=hint,
            wrap_up=wrap_up,
        )

    async def _stream(
        self,
        session: InterviewSession,
        now: datetime,
        wrap_up: bool = False,
        hint: HintTier | None = None,
    ) -> AsyncIterator[str]:
        """Stream one interviewer turn and store it once complete."""
        context = self._context(session, now, wrap_up, hint)
        kind = TurnKind.WRAP_UP if wrap_up else TurnKind.HINT if hint else TurnKind.MESSAGE
        parts: list[str] = []
        primary, notice = await self._choose(session)
        if notice is not None:
            await self._repo.mark_offline(session.id)
            await self._repo.append_turn(
                session.id, NewTurn(Role.SYSTEM, notice, self._clock.now(), TurnKind.NOTICE)
            )
            yield notice + "\n\n"
        asked_at = self._clock.now()
        try:
            async for chunk in primary.reply(context):
                parts.append(chunk)
                yield chunk
        except InterviewerUnavailableError:
            if self._fallback is None or primary is self._fallback:
                raise
            if parts and self._interrupt_mid_stream:
                lost = (self._clock.now() - asked_at).total_seconds()
                await self._repo.add_paused(session.id, max(0.0, lost))
                raise InterruptedTurnError() from None
            log.warning("interviewer unavailable for mock %s; this turn runs offline", session.id)
            await self._go_offline(session, asked_at)
            yield ("\n\n" if parts else "") + OFFLINE_NOTICE + "\n\n"
            parts = []
            async for chunk in self._fallback.reply(context):
                parts.append(chunk)
                yield chunk
        reply = NewTurn(Role.INTERVIEWER, "".join(parts), self._clock.now(), kind)
        await self._repo.append_turn(session.id, reply)

    async def _choose(self, session: InterviewSession) -> tuple[Interviewer, str | None]:
        """The interviewer for this turn, and a notice if the budget just ran out."""
        if self._policy is None or self._fallback is None:
            return self._interviewer, None
        policy = await self._policy.policy(session.guild_id)
        since = day_start(self._clock.now(), policy.timezone)
        if await self._policy.tokens_since(session.guild_id, since) < policy.daily_token_budget:
            return self._interviewer, None
        noticed = any(
            t.kind is TurnKind.NOTICE and t.content == BUDGET_NOTICE for t in session.turns
        )
        return self._fallback, None if noticed else BUDGET_NOTICE

    async def _go_offline(self, session: InterviewSession, asked_at: datetime) -> None:
        """Stop the clock for the time lost to the outage and log the switch."""
        now = self._clock.now()
        await self._repo.add_paused(session.id, max(0.0, (now - asked_at).total_seconds()))
        await self._repo.mark_offline(session.id)
        await self._repo.append_turn(
            session.id, NewTurn(Role.SYSTEM, OFFLINE_NOTICE, now, TurnKind.NOTICE)
        )
