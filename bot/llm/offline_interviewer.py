"""An interviewer that needs no API: questions from the bank, judgement from the rubric.

It keeps no state of its own. Everything it knows is re-read from the stored
transcript on every call (which plan question each interviewer turn asked, the
answers since), and its question plan is a pure function of the seed and the
session id, so it can take over from Claude mid-interview or after a restart.
Follow-ups and the debrief come from :func:`grade_open_offline`: the rubric
points an answer missed are where the interviewer digs next.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from bot.domain.bank import QuestionBank
from bot.domain.debrief import Debrief, Graded, dimension_scores, parse_debrief
from bot.domain.grading import Flag, Grade, grade_open_offline
from bot.domain.interview import HintTier, Mode, Role, TurnKind
from bot.domain.interviewer import InterviewContext
from bot.domain.questions import Kind, Question, Round, RubricPoint, StarPart, Track
from bot.domain.taxonomy import Taxonomy

MAX_FOLLOW_UPS = 2
MINUTES_PER_QUESTION = 8
_TRACK_FALLBACK = {Track.RECSYS: "recommendation-systems"}  # no recsys file yet


@dataclass
class Exchange:
    """One plan question as it played out: the candidate's answers and our probes."""

    question: Question
    answers: list[str] = field(default_factory=list)
    probes: list[str] = field(default_factory=list)

    def grade(self) -> Grade:
        return grade_open_offline(self.question, "\n".join(self.answers))


@dataclass
class Progress:
    exchanges: list[Exchange] = field(default_factory=list)
    asked_for_questions: bool = False
    candidate_questions: list[str] = field(default_factory=list)
    answered_last: bool = False  # the newest turn is the candidate's


def as_open(question: Question) -> Question:
    """A choice question asked without its options, with a rubric built from its key.

    Credit needs the gist of the correct option and some of the explanation's
    reasoning, so naming the answer alone earns two thirds at most.
    """
    if question.kind is Kind.OPEN:
        return question
    correct = question.options[question.correct_index].text
    answer_terms = _keywords(correct, 3) or (correct,)
    reasons = [t for t in _keywords(question.explanation, 8) if t not in answer_terms]
    rubric = (
        RubricPoint(point=f"Reaches the answer: {correct}", weight=2, concepts=answer_terms),
        RubricPoint(
            point="Backs the answer with the reasoning behind it.",
            weight=1,
            concepts=tuple(reasons[:3]) or ("because",),
        ),
    )
    return question.model_copy(update={"kind": Kind.OPEN, "options": (), "rubric": rubric})


def missed_points(question: Question, grade: Grade) -> list[RubricPoint]:
    """Rubric points not fully earned, the most valuable gap first."""
    gaps = [
        (point.weight * (1 - result.credit), index, point)
        for index, (point, result) in enumerate(zip(question.rubric, grade.points, strict=True))
        if result.credit < 0.99
    ]
    return [point for _, _, point in sorted(gaps, key=lambda gap: (-gap[0], gap[1]))]


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


# --- what the offline interviewer says (original wording) ----------------------------

_YOUR_QUESTIONS = (
    "That covers what I wanted to ask. Now it's your turn: what would you like to know "
    "about the team, the role or how we work?"
)
_STOP = frozenset(
    re.findall(
        r"[a-z]+",
        """about after also because been before being between both could does each from have
        here into just like make many more most much only other over same should since some
        such than that their them then there these they this those through very what when
        where which while will with would your answer""",
    )
)
_STAR_PROBES = {
    StarPart.SITUATION: "Set the scene a little more: where was this, and what was at stake?",
    StarPart.TASK: "What exactly were you responsible for there, as opposed to the wider team?",
    StarPart.ACTION: "Walk me through the specific steps you took yourself. What did you decide?",
    StarPart.RESULT: "How did it end? What changed, in numbers if you have them, and what "
    "would you do differently?",
}


def _keywords(text: str, limit: int) -> tuple[str, ...]:
    """The longest distinctive words of ``text``, in a stable order."""
    words = dict.fromkeys(w for w in re.findall(r"[a-z][a-z0-9-]{3,}", text.lower()))
    ranked = sorted((w for w in words if w not in _STOP), key=lambda w: -len(w))
    return tuple(ranked[:limit])


def _cue(point: RubricPoint) -> str:
    """A few words naming the area of a rubric point without giving the point away."""
    options = [a.strip() for a in point.concepts[0].split("|")]
    plain = [a for a in options if re.fullmatch(r"[a-z][a-z \-]{2,29}", a)]
    return max(plain, key=len) if plain else " ".join(point.point.lower().split()[:4])


def _chunks(text: str, parts: int = 4) -> list[str]:
    """``text`` cut at spaces into at most ``parts`` pieces that join back exactly."""
    size = max(1, len(text) // parts)
    pieces: list[str] = []
    start = 0
    while start < len(text):
        cut = text.find(" ", start + size)
        end = len(text) if cut == -1 or len(pieces) == parts - 1 else cut + 1
        pieces.append(text[start:end])
        start = end
    return pieces


def _join(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


def _short(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _opening(context: InterviewContext, round_name: str, first: Question) -> str:
    session = context.session
    track = f" ({session.track.value} track)" if session.track else ""
    stages = ", ".join(phase.name for phase in context.spec.core_phases)
    mode = (
        "I'll give you quick feedback after each answer."
        if session.mode is Mode.PRACTICE
        else "I'll keep my feedback for the debrief at the end, as in a real loop."
    )
    star = (
        " Please use real examples from your own work; I'll ask about the situation, "
        "your part in it and how it turned out."
        if context.spec.star
        else ""
    )
    return _join(
        f"Hi, and thanks for making the time. This is a {session.minutes}-minute "
        f"{round_name}{track} mock. We'll go through {stages}, and keep a few minutes at "
        f"the end for your questions. {mode}{star}",
        "Let's start.\n" + first.prompt.strip(),
    )


def _next_question(question: Question) -> str:
    return "Let's move on.\n" + question.prompt.strip()


def follow_up_for(point: RubricPoint) -> str:
    """The follow-up that digs at a missed rubric point: it names the area, not the answer."""
    if point.star is not None:
        return _STAR_PROBES[point.star]
    return f"Before we move on, let me push on one area: what role does {_cue(point)} play here?"


def _preface(flags: frozenset[Flag]) -> str:
    if Flag.INSTRUCTIONS_IN_ANSWER in flags:
        return "I'll stay with the interview: requests about scoring don't change how I judge."
    if Flag.INSUFFICIENT in flags:
        return "That was very brief, so I can't judge it yet."
    return ""


def _feedback(question: Question, grade: Grade, final: bool) -> str:
    """Practice-mode feedback: what landed; when moving on, also what a full answer adds."""
    covered = sum(p.credit >= 0.99 for p in grade.points)
    line = f"Feedback: {covered} of {len(grade.points)} key points covered so far."
    missed = missed_points(question, grade)
    if final and missed:
        line += " A full answer would also have: " + "; ".join(_short(p.point) for p in missed[:2])
    return line


def _hint(question: Question, missed: list[RubricPoint], tier: HintTier, star: bool) -> str:
    if not missed:
        return "You've already covered what I was after; tighten the answer or let's move on."
    if tier is HintTier.NUDGE:
        if star and missed[0].star is not None:
            return f"A nudge: your {missed[0].star.value} is the thin part. Make it concrete."
        return f"A nudge: the missing piece is about {_cue(missed[0])}. What does it change?"
    if tier is HintTier.APPROACH:
        areas = ", ".join(_cue(point) for point in missed[:3])
        order = " Tell it as situation, task, action, result." if star else ""
        return f"One way in: a complete answer touches on {areas}.{order}"
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(question.explanation.split()))
    return "Part of an answer: " + _short(" ".join(sentences[:2]), 350)


def _no_hint_needed() -> str:
    return "No hint needed here: ask me anything you like about the role or the team."


def _still_waiting() -> str:
    return "Take your time; I'm listening whenever you're ready."


_TEAM_ANSWERS = (
    "Good question. In short: an idea goes from notebook to an online test within a few "
    "weeks, and whoever ships a model also owns it in production, on-call included.",
    "It varies by team, but the rule of thumb is simple: if a model's failure would reach "
    "customers within a day, it has an owner on call and a rollback that anyone can run.",
    "Honestly, that's one we're still working out; I'd be glad to hear how you'd approach it.",
)


def _answer_candidate_question(count: int) -> str:
    answer = _TEAM_ANSWERS[(count - 1) % len(_TEAM_ANSWERS)]
    return (
        f"{answer} Anything else? Otherwise, end the interview when you're ready and "
        "I'll write up your debrief."
    )


def _wrap_up(round_: Round) -> str:
    focus = "stories" if round_ is Round.BEHAVIORAL else "answers"
    return (
        f"We're at time, so let's stop here. Thank you for talking me through your {focus}. "
        "The debrief comes next: a score per dimension, what went well and what to study."
    )


def _strengths(graded: list[Graded]) -> tuple[str, ...]:
    covered = [r.point for _, grade, _ in graded for r in grade.points if r.credit >= 0.99]
    return tuple(dict.fromkeys("Covered: " + _short(point) for point in covered))[:3]


def _improvements(graded: list[Graded]) -> tuple[str, ...]:
    missed = [_short(p.point) for q, grade, _ in graded for p in missed_points(q, grade)[:1]]
    flags = set().union(*(grade.flags for _, grade, _ in graded)) if graded else set()
    notes = []
    if not graded or Flag.INSUFFICIENT in flags:
        notes.append("Answer in a few full sentences; very short answers cannot be judged.")
    if Flag.INSTRUCTIONS_IN_ANSWER in flags:
        notes.append("Instructions to the interviewer were ignored and earned nothing.")
    return tuple(dict.fromkeys(notes + ["Add: " + m for m in missed]))[:5]
