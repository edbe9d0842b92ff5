"""Running a mock interview: the use cases the Discord cog and the terminal share.

The database is the source of truth. A candidate's message is stored before the
interviewer sees it and each interviewer message is stored once complete, so a
restart loses at most a reply in flight; the session then continues from its
stored turns and its stored start time. When the primary interviewer (Claude)
is unreachable, that turn is written by the fallback (offline) interviewer after
one notice line, and the time lost waiting is added to ``paused_seconds``.

The package is split by job: ``_notices`` (texts shown in the transcript),
``_errors``, ``_ports`` (the policy and thread-link repositories, tick results),
``_policy`` (daily limits and the token budget), ``_stream`` (one interviewer
turn, streamed with the offline fallback) and ``_service`` (:class:`MockService`,
the session lifecycle).
"""

from bot.services.mock._errors import InterruptedTurnError, MockAlreadyActiveError, MockLimitError
from bot.services.mock._notices import BUDGET_NOTICE, IDLE_NOTICE, OFFLINE_NOTICE
from bot.services.mock._policy import day_start
from bot.services.mock._ports import (
    DebriefListener,
    MockPolicy,
    PolicyRepository,
    ThreadLinkRepository,
    Tick,
    TickKind,
)
from bot.services.mock._service import MockService

__all__ = [
    "BUDGET_NOTICE",
    "IDLE_NOTICE",
    "OFFLINE_NOTICE",
    "DebriefListener",
    "InterruptedTurnError",
    "MockAlreadyActiveError",
    "MockLimitError",
    "MockPolicy",
    "MockService",
    "PolicyRepository",
    "ThreadLinkRepository",
    "Tick",
    "TickKind",
    "day_start",
]
