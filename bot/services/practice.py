"""The daily question in a terminal: the same plan, services and store, no Discord.

The terminal is one more study group (``TERMINAL_GUILD_ID``) whose "channel" is
the screen. Today's question is claimed, answered, graded and revealed through
exactly the services the bot uses, so ``studybot practice`` exercises the
domain end to end and its points and streak live in the same database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.errors import ClosedError
from bot.domain.models import GuildConfig, Posting, PostingStatus
from bot.domain.ports import RevealSummary
from bot.domain.questions import Question
from bot.domain.scoring import Streak, points_for
from bot.services.answers import AnswerService, MyResult
from bot.services.daily import DailyService, Repositories
from bot.services.setup import SetupRequest, SetupService

TERMINAL_GUILD_ID = 0
TERMINAL_CHANNEL_ID = 0

WriteFn = Callable[[str], None]


@dataclass(frozen=True)
class PracticeResult:
    result: MyResult
    points: float
    streak: Streak


class TerminalPublisher:
    """The Publisher port for a terminal: the CLI shows questions; reveals print here."""

    def __init__(self, write: WriteFn) -> None:
        self._write = write

    async def post_question(self, guild: GuildConfig, posting: Posting, question: Question) -> int:
        return posting.id  # the screen has no message ids; the posting's own id stands in

    async def find_question(self, posting: Posting) -> int | None:
        return posting.id

    async def post_reveal(
        self, guild: GuildConfig, summary: RevealSummary
    ) -> tuple[int, int | None]:
        self._write(f"\nExplanation\n{summary.question.explanation}")
        return summary.posting.id, None


class PracticeService:
    def __init__(
        self,
        repositories: Repositories,
        setup: SetupService,
        daily: DailyService,
        answers: AnswerService,
    ) -> None:
        self._repos = repositories
        self._setup = setup
        self._daily = daily
        self._answers = answers

    async def _terminal_group(self, timezone: str) -> GuildConfig:
        existing = await self._repos.guilds.get(TERMINAL_GUILD_ID)
        if existing is not None and existing.is_set_up:
            return existing
        return await self._setup.configure(
            SetupRequest(
                guild_id=TERMINAL_GUILD_ID,
                guild_name="terminal",
                channel_id=TERMINAL_CHANNEL_ID,
                post_time="00:00",
                timezone=timezone,
                reveal="23h",
                discussion_threads=False,
            )
        )

    async def todays_question(
        self, publisher: TerminalPublisher, timezone: str = "UTC"
    ) -> tuple[Posting, Question]:
        """Today's posting for the terminal group, posting it first if needed.

        Raises ClosedError when today's question was already answered and revealed.
        """
        config = await self._terminal_group(timezone)
        today = config.schedule.local_date(self._daily.now())
        posting = await self._repos.postings.for_date(TERMINAL_GUILD_ID, today)
        if posting is None:
            posting = await self._daily.post_now(TERMINAL_GUILD_ID, publisher)
        if posting.status is PostingStatus.REVEALED:
            raise ClosedError("You have done today's question. Come back tomorrow!")
        return posting, await self._answers.question_for(posting.id)

    async def answer(
        self, posting: Posting, user_id: int, *, choice: int | None = None, text: str | None = None
    ) -> None:
        """Record the answer through the same group-committed path as a click."""
        if choice is not None:
            await self._answers.submit_choice(posting.id, user_id, "you", choice)
        else:
            await self._answers.submit_text(posting.id, user_id, "you", text or "")

    async def reveal(
        self, posting: Posting, user_id: int, publisher: TerminalPublisher
    ) -> PracticeResult:
        """Close, grade and score today's question; the member's result, points and streak."""
        current = await self._repos.postings.get(posting.id)
        if current is not None and current.status is PostingStatus.POSTED:
            await self._daily.reveal(current, publisher)
        result = await self._answers.my_result(posting.id, user_id)
        points = points_for(result.question.difficulty, result.credit or 0.0)
        streak = await self._daily.streak(TERMINAL_GUILD_ID, user_id)
        return PracticeResult(result=result, points=points, streak=streak)
