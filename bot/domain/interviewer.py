"""The interviewer port: who writes the interviewer's side of a mock.

Claude (in :mod:`bot.llm`) and the offline interviewer both implement
:class:`Interviewer`. They see the same :class:`InterviewContext`, built by
:class:`bot.services.mock.MockService` from the stored session, so either can
take over mid-interview (after an outage or a restart) without losing the thread.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from bot.domain.debrief import Debrief
from bot.domain.interview import HintTier, InterviewSession, Mode, Phase, RoundSpec, Turn
from bot.domain.questions import Track


@dataclass(frozen=True)
class InterviewContext:
    """Everything an interviewer may use to write its next message.

    ``time_note`` is the clock line (see :func:`bot.domain.interview.time_note`)
    to attach to the latest candidate turn; ``hint`` is set when the candidate
    asked for a hint of that tier; ``wrap_up`` when time is up and the next
    message must close the interview.
    """

    session: InterviewSession
    transcript: tuple[Turn, ...]
    time_note: str
    mode: Mode
    spec: RoundSpec
    phase: Phase
    track: Track | None = None
    hint: HintTier | None = None
    wrap_up: bool = False


class Interviewer(Protocol):
    def reply(self, context: InterviewContext) -> AsyncIterator[str]:
        """Stream the next interviewer message in chunks.

        Raises InterviewerUnavailableError (possibly after some chunks) when the
        backing service cannot answer; the caller then switches to its fallback.
        """
        ...

    async def debrief(self, context: InterviewContext) -> Debrief:
        """Score the whole interview; ``overall`` is computed by Debrief itself."""
        ...
