"""A member's progress: the figures behind ``/progress`` and the terminal's report.

Daily points and rank are all-time. Accuracy counts daily answers and reviews
alike (reviews earn no points). Rank is the one the public points board shows;
a hidden member sees where they would stand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.bank import QuestionBank
from bot.domain.errors import InvalidInputError, PermissionDeniedError
from bot.domain.models import GuildConfig
from bot.domain.plan import StudyPlan
from bot.domain.ports import Clock, GuildRepository
from bot.domain.progress import (
    AnswerRecord,
    Calibration,
    PlanPosition,
    PointsPoint,
    Source,
    Tally,
    calibration,
    cumulative_points,
    rank_of,
    tally,
    tally_by,
    weakest_topics,
)
from bot.domain.progress_ports import MockResult, ProgressRepository
from bot.domain.review import ReviewCard
from bot.domain.scoring import Streak, compute_streak
from bot.services.leaderboard import StandingsReader
from bot.services.review import ReviewService


@dataclass(frozen=True)
class TopicLine:
    topic: str
    name: str
    round: str
    tally: Tally
    study: str = ""


@dataclass(frozen=True)
class MemberProgress:
    user_id: int
    display_name: str
    hidden: bool
    points: float
    rank: int | None
    tied: bool
    ranked: int
    streak: Streak
    answered: int  # daily answers
    reviews: int
    overall: Tally  # daily answers and reviews
    by_round: dict[str, Tally]
    topics: tuple[TopicLine, ...]
    weakest: tuple[TopicLine, ...]
    calibration: Calibration
    mocks: tuple[MockResult, ...]
    recommended: tuple[str, ...]
    plan: PlanPosition | None
    due_cards: int
    points_series: tuple[PointsPoint, ...]
    round_names: dict[str, str]
    topic_names: dict[str, str]


class ProgressService:
    def __init__(
        self,
        bank: QuestionBank,
        plan: StudyPlan,
        repository: ProgressRepository,
        reader: StandingsReader,
        guilds: GuildRepository,
        review: ReviewService,
        clock: Clock,
    ) -> None:
        self._bank = bank
        self._plan = plan
        self._repository = repository
        self._reader = reader
        self._guilds = guilds
        self._review = review
        self._clock = clock
        taxonomy = bank.taxonomy
        self._topics = {topic.id: topic for topic in taxonomy.topics()}
        self._round_names = {r.value: info.name for r, info in taxonomy.rounds.items()}

    async def progress(self, guild_id: int, member_id: int, viewer_id: int) -> MemberProgress:
        """The member's progress as ``viewer_id`` may see it.

        Raises PermissionDeniedError when a hidden member is looked up by someone else.
        """
        guild = await self._guilds.get(guild_id)
        if guild is None:
            raise InvalidInputError("studybot is not set up in this server yet.")
        member = await self._repository.member(guild_id, member_id)
        name, hidden = member or ("", False)
        if hidden and member_id != viewer_id:
            raise PermissionDeniedError("That member keeps their progress private.")
        records = await self._repository.member_records(guild_id, member_id)
        standings = await self._reader.standings(guild_id, None, None, None)
        ranked = rank_of(
            standings,
            member_id,
            ident=lambda s: s.user_id,
            hidden=lambda s: s.hidden,
            score=lambda s: s.points,
        )
        review = await self._review.status(guild_id, member_id)
        everything = [*records, *self._review_records(review.cards)]
        today = guild.schedule.local_date(self._clock.now())
        posted = await self._repository.posted_dates(guild_id)
        answered = {r.local_date for r in records}
        by_topic = tally_by(everything, lambda r: r.topic)
        mocks = tuple(await self._repository.mock_results(guild_id, member_id))
        return MemberProgress(
            user_id=member_id,
            display_name=name,
            hidden=hidden,
            points=ranked.item.points if ranked else 0.0,
            rank=ranked.rank if ranked and ranked.item.answered else None,
            tied=bool(ranked and ranked.tied),
            ranked=sum(1 for s in standings if not s.hidden or s.user_id == member_id),
            streak=compute_streak([d for d in posted if d < today or d in answered], answered),
            answered=len(records),
            reviews=sum(card.reviews for card in review.cards),
            overall=tally(everything),
            by_round=tally_by(everything, lambda r: r.round),
            topics=tuple(self._line(t, s) for t, s in by_topic.items()),
            weakest=tuple(self._line(w.topic, w.tally) for w in weakest_topics(by_topic)),
            calibration=calibration(records),
            mocks=mocks,
            recommended=tuple(dict.fromkeys(t for m in mocks for t in m.recommended_topics)),
            plan=self._plan_position(guild, today),
            due_cards=review.due,
            points_series=tuple(cumulative_points(records)),
            round_names=self._round_names,
            topic_names={t: self._name(t) for t in by_topic},
        )

    def _review_records(self, cards: tuple[ReviewCard, ...]) -> list[AnswerRecord]:
        """Reviews as records for the accuracy tallies; one per card with its mean credit."""
        found: list[AnswerRecord] = []
        for card in cards:
            question = self._bank.get(card.question_id)
            if question is None or not card.reviews:
                continue
            last = card.log[-1].at if card.log else self._clock.now()
            mean = card.review_credit / card.reviews
            found.extend(
                AnswerRecord(
                    last.date(),
                    question.topic,
                    question.round.value,
                    mean,
                    0.0,
                    last,
                    source=Source.REVIEW,
                )
                for _ in range(card.reviews)
            )
        return found

    def _name(self, topic_id: str) -> str:
        topic = self._topics.get(topic_id)
        return topic.name if topic else topic_id

    def _line(self, topic_id: str, stats: Tally) -> TopicLine:
        topic = self._topics.get(topic_id)
        return TopicLine(
            topic=topic_id,
            name=topic.name if topic else topic_id,
            round=topic.round.value if topic else "",
            tally=stats,
            study=topic.study if topic else "",
        )

    def _plan_position(self, guild: GuildConfig, today: date) -> PlanPosition | None:
        if guild.cohort_start is None:
            return None
        day = guild.schedule.cohort_day(guild.cohort_start, today)
        week = self._plan.week_of(day)
        return PlanPosition(
            day=day,
            length=self._plan.length,
            week=week.week if week else None,
            theme=week.theme if week else None,
        )
