"""One interviewer turn: streamed, stored once complete, with the offline fallback."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime

from bot.domain.errors import InterviewerUnavailableError
from bot.domain.interview import (
    HintTier,
    InterviewSession,
    NewTurn,
    Role,
    TurnKind,
    current_phase,
    time_note,
)
from bot.domain.interview_ports import InterviewRepository
from bot.domain.interviewer import InterviewContext, Interviewer
from bot.domain.ports import Clock
from bot.services.mock._errors import InterruptedTurnError
from bot.services.mock._notices import OFFLINE_NOTICE
from bot.services.mock._policy import choose_interviewer
from bot.services.mock._ports import PolicyRepository

log = logging.getLogger("bot.services.mock")  # the package's logger, as before the split


class TurnStreamer:
    """Streams interviewer turns for :class:`MockService` and stores each once complete.

    Over the daily token budget the fallback writes the turn after one notice.
    When the primary interviewer fails mid-turn the fallback finishes it, or,
    with ``interrupt_mid_stream`` and part of the reply already shown,
    :class:`InterruptedTurnError` is raised instead.
    """

    def __init__(
        self,
        repository: InterviewRepository,
        interviewer: Interviewer,
        clock: Clock,
        fallback: Interviewer | None,
        policy: PolicyRepository | None,
        interrupt_mid_stream: bool,
    ) -> None:
        self._repo = repository
        self._interviewer = interviewer
        self._clock = clock
        self._fallback = fallback
        self._policy = policy
        self._interrupt_mid_stream = interrupt_mid_stream

    def context(
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

    async def choose(self, session: InterviewSession) -> tuple[Interviewer, str | None]:
        """The interviewer for this turn, and a notice if the budget just ran out."""
        return await choose_interviewer(
            self._policy, self._clock, session, self._interviewer, self._fallback
        )

    async def stream(
        self,
        session: InterviewSession,
        now: datetime,
        wrap_up: bool = False,
        hint: HintTier | None = None,
    ) -> AsyncIterator[str]:
        """Stream one interviewer turn and store it once complete."""
        context = self.context(session, now, wrap_up, hint)
        kind = TurnKind.WRAP_UP if wrap_up else TurnKind.HINT if hint else TurnKind.MESSAGE
        parts: list[str] = []
        primary, notice = await self.choose(session)
        if notice is not None:
            await self._log_budget_notice(session, notice)
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

    async def _log_budget_notice(self, session: InterviewSession, notice: str) -> None:
        """Mark the mock offline and store the notice that the budget ran out."""
        await self._repo.mark_offline(session.id)
        await self._repo.append_turn(
            session.id, NewTurn(Role.SYSTEM, notice, self._clock.now(), TurnKind.NOTICE)
        )

    async def _go_offline(self, session: InterviewSession, asked_at: datetime) -> None:
        """Stop the clock for the time lost to the outage and log the switch."""
        now = self._clock.now()
        await self._repo.add_paused(session.id, max(0.0, (now - asked_at).total_seconds()))
        await self._repo.mark_offline(session.id)
        await self._repo.append_turn(
            session.id, NewTurn(Role.SYSTEM, OFFLINE_NOTICE, now, TurnKind.NOTICE)
        )
