"""The hint ladder: which tier a hint request gets."""

from __future__ import annotations

from bot.domain.errors import InvalidInputError
from bot.domain.interview._session import HintTier, InterviewSession, Role, TurnKind


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
