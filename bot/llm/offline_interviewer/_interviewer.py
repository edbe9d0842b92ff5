"""OfflineInterviewer: plans the questions and decides each next message from the transcript."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

from bot.domain.bank import QuestionBank
from bot.domain.debrief import Debrief, Graded, dimension_scores, parse_debrief
from bot.domain.grading import Grade, grade_open_offline
from bot.domain.interview import HintTier, Mode, Role, TurnKind
from bot.domain.interviewer import InterviewContext
from bot.domain.questions import Kind, Question, Round, Track
from bot.domain.taxonomy import Taxonomy
from bot.llm.offline_interviewer._followups import (
    MAX_FOLLOW_UPS,
    _feedback,
    _hint,
    _improvements,
    _preface,
    _strengths,
    follow_up_for,
    missed_points,
)
from bot.llm.offline_interviewer._plan import (
    _TRACK_FALLBACK,
    MINUTES_PER_QUESTION,
    Exchange,
    Progress,
    as_open,
)
from bot.llm.offline_interviewer._wording import (
    _YOUR_QUESTIONS,
    _answer_candidate_question,
    _chunks,
    _join,
    _next_question,
    _no_hint_needed,
    _opening,
    _still_waiting,
    _wrap_up,
)


class OfflineInterviewer:
    """Implements :class:`bot.domain.interviewer.Interviewer`; deterministic given the seed."""

    def __init__(self, bank: QuestionBank, taxonomy: Taxonomy, seed: str | int = 0) -> None:
        self._bank = bank
        self._taxonomy = taxonomy
        self._seed = seed

    def plan(self, context: InterviewContext) -> tuple[Question, ...]:
        """The session's questions in order: one per core phase slot, open ones first."""
        session = context.session
        key = f"{self._seed}:{session.id}:{session.round}:{session.track}"
        rng = random.Random(key)  # noqa: S311 - a reproducible order, not a secret
        pool = self._pool(session.round, session.track)
        rng.shuffle(pool)
        core = context.spec.core_phases
        count = max(1, min(6, round(session.minutes * 0.8 / MINUTES_PER_QUESTION), len(pool)))
        chosen: list[Question] = []
        for slot in range(count):
            topics = core[slot * len(core) // count].topics
            unused = [q for q in pool if q not in chosen]
            ranked = sorted(unused, key=lambda q: (q.kind is not Kind.OPEN, q.topic not in topics))
            chosen.append(ranked[0])
        return tuple(as_open(q) for q in chosen)

    def _pool(self, round_: Round, track: Track | None) -> list[Question]:
        pool = [q for q in self._bank.eligible([round_]) if q.track == track]
        if not pool and track in _TRACK_FALLBACK:
            pool = [q for q in self._bank.questions if q.topic == _TRACK_FALLBACK[track]]
        return sorted(pool, key=lambda q: q.id)

    def progress(self, context: InterviewContext) -> Progress:
        """Re-read the transcript: which plan question each turn belongs to."""
        plan = self.plan(context)
        state = Progress()
        for turn in context.transcript:
            if turn.role is Role.CANDIDATE:
                state.answered_last = True
                if state.asked_for_questions:
                    state.candidate_questions.append(turn.content)
                elif state.exchanges:
                    state.exchanges[-1].answers.append(turn.content)
                continue
            if turn.role is not Role.INTERVIEWER or turn.kind is not TurnKind.MESSAGE:
                continue
            state.answered_last = False
            asked = [q for q in plan if q.prompt.strip() in turn.content]
            if asked:
                state.exchanges.append(Exchange(asked[-1]))
            elif _YOUR_QUESTIONS in turn.content:
                state.asked_for_questions = True
            elif state.exchanges:
                state.exchanges[-1].probes.append(turn.content)
        return state

    async def reply(self, context: InterviewContext) -> AsyncIterator[str]:
        for chunk in _chunks(self.compose(context)):
            await asyncio.sleep(0)  # yield to the loop as a real stream would
            yield chunk

    def compose(self, context: InterviewContext) -> str:
        """The next interviewer message as one string (``reply`` streams it)."""
        state = self.progress(context)
        if context.wrap_up:
            return _wrap_up(context.session.round)
        if context.hint is not None:
            return self._hint(context, state, context.hint)
        if not state.exchanges:
            name = self._taxonomy.round_name(context.session.round)
            return _opening(context, name, self.plan(context)[0])
        if not state.answered_last:
            return _still_waiting()
        return self._next_step(context, state)

    def _next_step(self, context: InterviewContext, state: Progress) -> str:
        if state.asked_for_questions:
            return _answer_candidate_question(len(state.candidate_questions))
        current = state.exchanges[-1]
        grade = current.grade()
        last = grade_open_offline(current.question, current.answers[-1])
        practice = context.mode is Mode.PRACTICE
        preface = _preface(last.flags)
        probe = self._probe(context, current, grade)
        if probe is not None:
            return _join(
                preface, _feedback(current.question, grade, False) if practice else "", probe
            )
        feedback = _feedback(current.question, grade, True) if practice else ""
        upcoming = [q for q in self.plan(context) if q.id not in _asked_ids(state)]
        if upcoming and context.phase.core:
            return _join(preface, feedback, _next_question(upcoming[0]))
        return _join(preface, feedback, _YOUR_QUESTIONS)

    def _probe(self, context: InterviewContext, current: Exchange, grade: Grade) -> str | None:
        """A follow-up on the most valuable missed point not yet probed, if time allows."""
        if len(current.probes) >= MAX_FOLLOW_UPS or not context.phase.core:
            return None
        for point in missed_points(current.question, grade):
            probe = follow_up_for(point)
            if not any(probe in asked for asked in current.probes):
                return probe
        return None

    def _hint(self, context: InterviewContext, state: Progress, tier: HintTier) -> str:
        if not state.exchanges or state.asked_for_questions:
            return _no_hint_needed()
        current = state.exchanges[-1]
        missed = missed_points(current.question, current.grade())
        return _hint(current.question, missed, tier, star=context.spec.star)

    async def debrief(self, context: InterviewContext) -> Debrief:
        """Scores from the offline grade of each question's answers, taken together."""
        state = self.progress(context)
        graded: list[Graded] = [(ex.question, ex.grade(), ex.answers) for ex in state.exchanges]
        dimensions = dimension_scores(context.session.round, graded)
        weak = sorted((grade.credit, q.topic) for q, grade, _ in graded if grade.credit < 0.75)
        topics = [topic for _, topic in weak] or self._default_topics(context)
        data = {
            "round": context.session.round,
            "track": context.session.track,
            "dimensions": dimensions,
            "hint_tiers": context.session.hint_tiers,
            "strengths": _strengths(graded),
            "improvements": _improvements(graded),
            "recommended_topics": tuple(dict.fromkeys(topics))[:3],
            "offline": True,
        }
        return parse_debrief(data, self._taxonomy)

    def _default_topics(self, context: InterviewContext) -> list[str]:
        """Nothing answered to judge: point at the round's first topics instead."""
        plan_topics = [q.topic for q in self.plan(context)]
        known = {topic.id for topic in self._taxonomy.topics()}
        return [topic for topic in plan_topics if topic in known]


def _asked_ids(state: Progress) -> set[str]:
    return {exchange.question.id for exchange in state.exchanges}
