"""Domain errors: each carries a message that is safe to show a member.

Every layer raises a subclass of :class:`StudybotError` for things a member or
admin did wrong or cannot do right now; the Discord and terminal front ends show
``user_message`` verbatim and never show exception text of anything else.
"""

from __future__ import annotations


class StudybotError(Exception):
    """Base of every error whose ``user_message`` may be shown to a member."""

    default_message = "Something went wrong with that request."

    def __init__(self, user_message: str | None = None) -> None:
        self.user_message = user_message or self.default_message
        super().__init__(self.user_message)


class ContentError(StudybotError):
    """The question bank, taxonomy or plan on disk is invalid."""

    default_message = "The question bank is invalid."


class InvalidInputError(StudybotError):
    """A member or admin gave a value we cannot use (time, zone, round, text)."""

    default_message = "That input is not valid."


class NotFoundError(StudybotError):
    """Something referred to by id no longer exists."""

    default_message = "That no longer exists."


class ClosedError(StudybotError):
    """The thing being acted on has ended (a revealed question, a finished mock)."""

    default_message = "This has ended."


class PermissionDeniedError(StudybotError):
    """The member lacks the permission an action needs."""

    default_message = "You do not have permission to do that."


class InterviewerUnavailableError(StudybotError):
    """The LLM could not be reached after retries; callers fall back offline."""

    default_message = "The interviewer is unavailable right now."
