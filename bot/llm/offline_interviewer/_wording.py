"""The offline interviewer's fixed lines (original wording) and how they are sent."""

from __future__ import annotations

from bot.domain.interview import Mode
from bot.domain.interviewer import InterviewContext
from bot.domain.questions import Question, Round

_YOUR_QUESTIONS = (
    "That covers what I wanted to ask. Now it's your turn: what would you like to know "
    "about the team, the role or how we work?"
)
_TEAM_ANSWERS = (
    "Good question. In short: an idea goes from notebook to an online test within a few "
    "weeks, and whoever ships a model also owns it in production, on-call included.",
    "It varies by team, but the rule of thumb is simple: if a model's failure would reach "
    "customers within a day, it has an owner on call and a rollback that anyone can run.",
    "Honestly, that's one we're still working out; I'd be glad to hear how you'd approach it.",
)


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


def _no_hint_needed() -> str:
    return "No hint needed here: ask me anything you like about the role or the team."


def _still_waiting() -> str:
    return "Take your time; I'm listening whenever you're ready."


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
