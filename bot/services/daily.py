"""The daily question: claim the day, post once, reveal once, score.

Exactly one post per server per scheduled local day. The claim (a unique row
per server and local date) is committed before anything is sent, and
completed with the message id afterwards. After a crash between the two,
:meth:`DailyService.reconcile` looks in the channel before posting again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.bank import QuestionBank
from bot.domain.errors import ClosedError, InvalidInputError, NotFoundError
from bot.domain.models import GuildConfig, Posting, ScoreRow
from bot.domain.plan import StudyPlan, pick_question
from bot.domain.ports import (
    AnswerRepository,
    Clock,
    GuildRepository,
    PostingRepository,
    Publisher,
    RevealSummary,
    ScoreRepository,
)
from bot.domain.questions import Kind
from bot.domain.scoring import Streak, compute_streak, points_for
from bot.services.grading import GradingService

log = logging.getLogger(__name__)

TOP_MEMBERS = 5

RevealListener = Callable[[RevealSummary], Awaitable[None]]
ScoreListener = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class Repositories:
    guilds: GuildRepository
    postings: PostingRepository
    answers: AnswerRepository
    scores: ScoreRepository


class DailyService:
    def __init__(
        self,
        bank: QuestionBank,
        plan: StudyPlan,
        repositories: Repositories,
        grading: GradingService,
        clock: Clock,
    ) -> None:
        self._bank = bank
        self._plan = plan
        self._repos = repositories
        self._grading = grading
        self._clock = clock
        self._after_reveal: list[RevealListener] = []
        self._after_score: list[ScoreListener] = []
        # Posting steps run one at a time in this process, so a retry of an
        # unsent claim can never race the first attempt still in flight.
        self._posting_lock = asyncio.Lock()

    # --- posting --------------------------------------------------------------------

    async def post_if_due(self, guild_id: int, publisher: Publisher) -> Posting | None:
        """Post today's question if the server's slot is due and not yet claimed."""
        guild = await self._repos.guilds.get(guild_id)
        if guild is None or not guild.is_set_up or guild.paused:
            return None
        now = self._clock.now()
        local_date = guild.schedule.due_slot(now)
        if local_date is None:
            return None
        async with self._posting_lock:
            return await self._claim_and_post(guild, local_date, publisher)

    async def post_now(self, guild_id: int, publisher: Publisher) -> Posting:
        """An admin's ``post-now``: today's slot, posted immediately if unclaimed."""
        guild = await self._repos.guilds.get(guild_id)
        if guild is None or not guild.is_set_up:
            raise InvalidInputError("Run `/studybot setup` first.")
        local_date = guild.schedule.local_date(self._clock.now())
        existing = await self._repos.postings.for_date(guild.id, local_date)
        if existing is not None:
            raise ClosedError("Today's question is already posted.")
        async with self._posting_lock:
            posting = await self._claim_and_post(guild, local_date, publisher, immediate=True)
        if posting is None:
            raise ClosedError("Today's question is already posted.")
        return posting

    async def _claim_and_post(
        self,
        guild: GuildConfig,
        local_date: date,
        publisher: Publisher,
        *,
        immediate: bool = False,
    ) -> Posting | None:
        if guild.channel_id is None or guild.cohort_start is None:
            return None
        schedule = guild.schedule
        cohort_day = schedule.cohort_day(guild.cohort_start, local_date)
        question = pick_question(
            self._bank,
            self._plan,
            cohort_day=max(cohort_day, 1),
            seed=guild.seed,
            history=await self._repos.postings.history(guild.id),
            rounds=guild.rounds or None,
            tracks=guild.tracks or None,
        )
        now = self._clock.now()
        closes_at = now + schedule.window if immediate else schedule.closes_at(local_date)
        posting = await self._repos.postings.claim(
            guild.id, local_date, cohort_day, question.id, guild.channel_id, now, closes_at
        )
        if posting is None:
            return None  # another run (a restart, a DST fold) already has this day
        message_id = await publisher.post_question(guild, posting, question)
        await self._repos.postings.mark_posted(posting.id, message_id, self._clock.now())
        log.info("Posted %s to guild %s for %s", question.id, guild.id, local_date)
        return await self._repos.postings.get(posting.id)

    async def reconcile(self, publisher: Publisher) -> None:
        """Finish claims a crash or failed send interrupted: adopt, send, or skip."""
        async with self._posting_lock:
            await self._reconcile(publisher)

    async def _reconcile(self, publisher: Publisher) -> None:
        now = self._clock.now()
        for posting in await self._repos.postings.unsent():
            message_id = await publisher.find_question(posting)
            if message_id is not None:
                await self._repos.postings.mark_posted(posting.id, message_id, now)
                continue
            guild = await self._repos.guilds.get(posting.guild_id)
            question = self._bank.get(posting.question_id)
            if guild is None or question is None or now >= posting.closes_at:
                await self._repos.postings.mark_skipped(posting.id)
                continue
            message_id = await publisher.post_question(guild, posting, question)
            await self._repos.postings.mark_posted(posting.id, message_id, now)

    # --- reveal ---------------------------------------------------------------------

    async def reveal_due(self, publisher: Publisher) -> list[int]:
        """Reveal every posting whose window has closed; returns their ids."""
        revealed = []
        for posting in await self._repos.postings.due_for_reveal(self._clock.now()):
            if await self.reveal(posting, publisher):
                revealed.append(posting.id)
        return revealed

    async def reveal(self, posting: Posting, publisher: Publisher) -> bool:
        """Close, grade what is left, score, and publish; False if already revealed."""
        if not await self._repos.postings.close(posting.id, self._clock.now()):
            return False
        guild = await self._repos.guilds.get(posting.guild_id)
        question = self._bank.get(posting.question_id)
        if guild is None or question is None:
            return True
        await self._grading.grade_pending(posting.id)
        summary = await self.score(posting)
        message_id, thread_id = await publisher.post_reveal(guild, summary)
        await self._repos.postings.set_reveal_message(posting.id, message_id, thread_id)
        for listener in self._after_reveal:
            await listener(summary)
        return True

    def add_score_listener(self, listener: ScoreListener) -> None:
        """Called with the server's id whenever a posting's scores are (re)written."""
        self._after_score.append(listener)

    def add_reveal_listener(self, listener: RevealListener) -> None:
        """Called with each reveal's summary once it is published (flags, recaps)."""
        self._after_reveal.append(listener)

    async def score(self, posting: Posting) -> RevealSummary:
        """(Re)compute the daily records of a posting from its answers' final credit."""
        question = self._bank.get(posting.question_id)
        if question is None:
            raise NotFoundError("This question was removed from the bank.")
        answers = await self._repos.answers.for_posting(posting.id)
        rows = [
            ScoreRow(
                posting_id=posting.id,
                user_id=answer.user_id,
                guild_id=posting.guild_id,
                local_date=posting.local_date,
                question_id=question.id,
                topic=question.topic,
                round=question.round.value,
                credit=answer.final_credit or 0.0,
                points=points_for(question.difficulty, answer.final_credit or 0.0),
                answered_at=answer.answered_at,
            )
            for answer in answers
        ]
        await self._repos.scores.replace_for_posting(posting.id, rows)
        for listener in self._after_score:
            await listener(posting.guild_id)
        counts = Counter(a.choice_index for a in answers if a.choice_index is not None)
        options = len(question.options) if question.kind is Kind.CHOICE else 0
        ranked = sorted(rows, key=lambda r: (-r.points, r.answered_at))[:TOP_MEMBERS]
        names = await self._repos.scores.display_names(
            posting.guild_id, [r.user_id for r in ranked]
        )
        return RevealSummary(
            posting=posting,
            question=question,
            participants=len(rows),
            choice_counts=tuple(counts.get(i, 0) for i in range(options)),
            mean_credit=sum(r.credit for r in rows) / len(rows) if rows else 0.0,
            top=tuple((names.get(r.user_id, "a member"), r.points) for r in ranked if r.points > 0),
        )

    async def streak(self, guild_id: int, user_id: int) -> Streak:
        """The member's streak over the server's posted days (see domain.scoring)."""
        posted = await self._repos.postings.posted_dates(guild_id)
        answered = await self._repos.scores.answered_dates(guild_id, user_id)
        return compute_streak(posted, answered)

    async def open_postings(self) -> list[Posting]:
        return await self._repos.postings.open_postings()

    def now(self) -> datetime:
        return self._clock.now()
