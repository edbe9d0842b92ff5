"""A server's daily limits: mocks per member, and the interviewer token budget."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from bot.domain.interview import InterviewSession, TurnKind
from bot.domain.interviewer import Interviewer
from bot.domain.ports import Clock
from bot.services.mock._errors import MockLimitError
from bot.services.mock._notices import BUDGET_NOTICE
from bot.services.mock._ports import PolicyRepository


def day_start(now: datetime, zone: str) -> datetime:
    """Midnight of ``now``'s local day in ``zone``, in UTC (what "today" means for limits)."""
    local = now.astimezone(ZoneInfo(zone))
    return datetime.combine(local.date(), time(), tzinfo=local.tzinfo).astimezone(UTC)


async def check_mock_limit(
    policies: PolicyRepository, guild_id: int, user_id: int, now: datetime
) -> None:
    """Raise MockLimitError when the member has started today's allowance of mocks."""
    policy = await policies.policy(guild_id)
    since = day_start(now, policy.timezone)
    if await policies.mocks_started(guild_id, user_id, since) >= policy.mock_limit_per_member:
        raise MockLimitError(
            f"You've reached this server's limit of {policy.mock_limit_per_member} "
            "mock interviews a day. Try again tomorrow."
        )


async def choose_interviewer(
    policies: PolicyRepository | None,
    clock: Clock,
    session: InterviewSession,
    interviewer: Interviewer,
    fallback: Interviewer | None,
) -> tuple[Interviewer, str | None]:
    """The interviewer for this turn, and a notice if the budget just ran out."""
    if policies is None or fallback is None:
        return interviewer, None
    policy = await policies.policy(session.guild_id)
    since = day_start(clock.now(), policy.timezone)
    if await policies.tokens_since(session.guild_id, since) < policy.daily_token_budget:
        return interviewer, None
    noticed = any(t.kind is TurnKind.NOTICE and t.content == BUDGET_NOTICE for t in session.turns)
    return fallback, None if noticed else BUDGET_NOTICE
