"""Token usage of one Claude call, handed to whoever keeps the accounts.

The adapter reports every call it makes (including calls whose output was
rejected: they were paid for) through a :data:`UsageSink`, so cost tracking
lives outside the grader and a test can collect the figures in a list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from anthropic.types import Usage


@dataclass(frozen=True)
class LlmUsage:
    """Tokens one call consumed. All counts are tokens, never negative.

    ``purpose`` says what the call was for (``"grade"``); ``model`` is the model
    that answered, as the API reported it, since that is what is billed.
    """

    purpose: str
    model: str
    input_tokens: int
    output_tokens: int
    cache_creation_tokens: int
    cache_read_tokens: int

    @classmethod
    def from_sdk(cls, purpose: str, model: str, usage: Usage) -> LlmUsage:
        """Build from the SDK's ``message.usage``; absent cache figures count as 0."""
        return cls(
            purpose=purpose,
            model=model,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_creation_tokens=usage.cache_creation_input_tokens or 0,
            cache_read_tokens=usage.cache_read_input_tokens or 0,
        )


UsageSink = Callable[[LlmUsage], Awaitable[None]]
"""Receives one :class:`LlmUsage` per call; it should not raise (failures are logged)."""
