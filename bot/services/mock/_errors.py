"""The errors a mock interview raises beyond the domain's own."""

from __future__ import annotations

from bot.domain.errors import InterviewerUnavailableError, StudybotError
from bot.domain.interview import InterviewSession


class InterruptedTurnError(InterviewerUnavailableError):
    """The interviewer failed after part of its reply was shown; nothing was stored.

    Raised only by a service built with ``interrupt_mid_stream``: the front end
    keeps the partial text, marks it interrupted and offers :meth:`MockService.retry`.
    """

    default_message = "The interviewer was interrupted. Press Retry to ask again."


class MockLimitError(StudybotError):
    """The member has started as many mocks today as this server allows."""


class MockAlreadyActiveError(StudybotError):
    """The member already has an active mock in this server; ``session`` is that one."""

    def __init__(self, session: InterviewSession) -> None:
        self.session = session
        super().__init__(
            f"You already have a {session.round.value} mock running (started "
            f"{session.started_at:%H:%M} UTC). Finish or end it before starting another."
        )
