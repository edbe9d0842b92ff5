"""The mock interview's lifecycle: open, answer, hint, retry, tick and end."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime

from bot.domain.debrief import Debrief
from bot.domain.errors import (
    ClosedError,
    InterviewerUnavailableError,
    InvalidInputError,
    NotFoundError,
)
from bot.domain.interview import (
    DEFAULT_MINUTES,
    InterviewSession,
    NewTurn,
    Role,
    SessionStatus,
    TurnKind,
    clean_candidate_message,
    is_idle,
    is_over,
    needs_warning,
    next_hint_tier,
    remaining,
    validate_setup,
)
from bot.domain.interview_ports import InterviewRepository
from bot.domain.interviewer import Interviewer
from bot.domain.ports import Clock
from bot.services.mock._errors import MockAlreadyActiveError
from bot.services.mock._notices import IDLE_NOTICE
from bot.services.mock._policy import check_mock_limit
from bot.services.mock._ports import (
    DebriefListener,
    MockPolicy,
    PolicyRepository,
    ThreadLinkRepository,
    Tick,
    TickKind,
)
from bot.services.mock._stream import TurnStreamer

log = logging.getLogger("bot.services.mock")  # the package's logger, as before the split


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
        self._fallback = fallback
        self._clock = clock
        self._after_debrief: list[DebriefListener] = []
        self._policy = policy
        self._thread_links = threads
        self._turns = TurnStreamer(
            repository, interviewer, clock, fallback, policy, interrupt_mid_stream
        )

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
            await check_mock_limit(self._policy, guild_id, user_id, now)
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
        async for chunk in self._turns.stream(session, self._clock.now()):
            yield chunk

    async def retry(self, session_id: int) -> AsyncIterator[str]:
        """Stream again the interviewer turn that failed: the opening, a reply or a hint."""
        session = await self._active(session_id)
        last = session.turns[-1] if session.turns else None
        if last is not None and last.role is Role.INTERVIEWER:
            raise InvalidInputError("There is nothing to retry: the interviewer has answered.")
        now = self._clock.now()
        hint = last.hint_tier if last and last.kind is TurnKind.HINT_REQUEST else None
        async for chunk in self._turns.stream(session, now, is_over(session, now), hint):
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
        async for chunk in self._turns.stream(session, now, wrap_up=is_over(session, now)):
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
        async for chunk in self._turns.stream(session, now, hint=tier):
            yield chunk

    async def end(self, session_id: int) -> Debrief:
        """End the mock and store its debrief; ending twice returns the stored one."""
        session = await self.get(session_id)
        if session.status is SessionStatus.ENDED and session.debrief_json:
            return Debrief.model_validate_json(session.debrief_json)
        now = self._clock.now()
        context = self._turns.context(session, now, wrap_up=True)
        primary, _ = await self._turns.choose(session)
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
            text = None
            if not wrapped:
                text = "".join([c async for c in self._turns.stream(session, now, True)])
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
