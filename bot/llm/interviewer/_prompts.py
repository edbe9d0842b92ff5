"""The interviewer's prompt files, and the transcript as the messages Claude is sent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from anthropic.types import MessageParam

from bot.domain.errors import ContentError
from bot.domain.interview import HintTier, Mode, Role, Turn, TurnKind
from bot.domain.interviewer import InterviewContext
from bot.domain.questions import Round

# The repository's prompts/interview/ (this file is bot/llm/interviewer/_prompts.py).
PROMPTS_DIR = Path(__file__).resolve().parents[3] / "prompts" / "interview"

_TAGS = re.compile(r"<\s*/?\s*(candidate_message|transcript)[^<>]*(?:>|$)", re.IGNORECASE)
_COMMENT = re.compile(r"^<!--.*?-->[ \t]*\n?", re.MULTILINE)
_VERSION = re.compile(r"<!--\s*([\w-]+ v\d+)\s*-->")
_HINTS = {
    HintTier.NUDGE: "a one-sentence nudge that points at the area to think about",
    HintTier.APPROACH: "an outline of one way to approach it, without the answer",
    HintTier.PARTIAL: "part of the answer, leaving the candidate to finish it",
}
_MODES = {
    Mode.PRACTICE: "This is a practice mock: after each answer give one or two sentences of "
    "feedback (what was good, what was missing) before your follow-up.",
    Mode.REAL: "This is a realistic mock: give no feedback or scores during the interview; keep "
    "your reactions neutral and save the assessment for the debrief.",
}


@dataclass(frozen=True)
class InterviewPrompts:
    protocol: Template
    debrief: Template
    rounds: dict[Round, Template]
    versions: tuple[str, ...]


def _load(path: Path) -> tuple[Template, str]:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContentError(f"Missing interview prompt {path.name}.") from exc
    match = _VERSION.match(raw)
    if match is None:
        raise ContentError(f"{path.name} must start with a version comment.")
    return Template(_COMMENT.sub("", raw).strip()), match.group(1)


def load_prompts(directory: Path = PROMPTS_DIR) -> InterviewPrompts:
    """Every interview prompt; raises ContentError when one is missing or unversioned."""
    protocol, v1 = _load(directory / "protocol.md")
    debrief, v2 = _load(directory / "debrief.md")
    rounds = {round_: _load(directory / f"{round_.value}.md") for round_ in Round}
    versions = (v1, v2, *(version for _, version in rounds.values()))
    return InterviewPrompts(protocol, debrief, {r: t for r, (t, _) in rounds.items()}, versions)


def clean_candidate_text(text: str) -> str:
    """Candidate text with anything that looks like our tags removed, until none is left."""
    while (stripped := _TAGS.sub(" ", text)) != text:
        text = stripped
    return text.strip()


def _note(turn: Turn) -> str:
    return "[interview system: " + turn.content.strip().strip("[]()") + "]"


def _direction(context: InterviewContext, opening: bool) -> str:
    """The per-turn note: clock, stage and what this message must do."""
    lines = [context.time_note]
    if context.wrap_up:
        lines.append("[Time is up: wrap up now in two or three sentences; ask nothing more.]")
    elif context.hint is not None:
        lines.append(
            f"[The candidate asked for a hint: give {_HINTS[context.hint]} on the current "
            "question, then let them continue.]"
        )
    elif opening:
        lines.append("[The candidate has joined: open the interview now.]")
    elif not context.phase.core:
        lines.append(f"[Stage: {context.phase.name}. Move the interview to this stage.]")
    return "\n".join(lines)


def build_messages(context: InterviewContext) -> list[MessageParam]:
    """The transcript as alternating turns, ending with a user turn that holds the note."""
    merged: list[tuple[str, list[str]]] = []
    for turn in context.transcript:
        if turn.role is Role.CANDIDATE:
            role = "user"
            text = (
                f"<candidate_message>\n{clean_candidate_text(turn.content)}\n</candidate_message>"
            )
        elif turn.role is Role.INTERVIEWER:
            role, text = "assistant", turn.content.strip()
        else:
            role, text = "user", _note(turn)
        if not text:
            continue
        if merged and merged[-1][0] == role:
            merged[-1][1].append(text)
        else:
            merged.append((role, [text]))
    opening = not any(t.role is Role.INTERVIEWER for t in context.transcript)
    note = _direction(context, opening)
    if not merged or merged[-1][0] != "user":
        merged.append(("user", [note]))
    else:
        merged[-1][1].append(note)
    if merged[0][0] != "user":
        merged.insert(0, ("user", ["[The candidate has joined the thread.]"]))
    return [
        {"role": role, "content": [{"type": "text", "text": text} for text in texts]}  # type: ignore[misc]
        for role, texts in merged
    ]


def _transcript(turns: tuple[Turn, ...]) -> str:
    lines = []
    for turn in turns:
        if turn.role is Role.CANDIDATE:
            lines.append(f"CANDIDATE: {clean_candidate_text(turn.content)}")
        elif turn.role is Role.INTERVIEWER:
            lines.append(f"INTERVIEWER: {turn.content.strip()}")
        elif turn.kind in (TurnKind.HINT_REQUEST, TurnKind.WARNING):
            lines.append(_note(turn))
    body = "\n\n".join(lines) or "(the candidate said nothing)"
    return f"<transcript>\n{body}\n</transcript>\n\nCall `record_debrief` now."
