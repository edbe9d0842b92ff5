"""``/progress`` for the terminal: the same figures as plain text."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.progress import Tally
from bot.services.progress import MemberProgress, ProgressService


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _tally(stats: Tally) -> str:
    few = " (few answers)" if stats.few else ""
    return f"{_pct(stats.accuracy)} of {stats.answered}{few}"


def format_progress(p: MemberProgress) -> list[str]:
    """The report's lines (no colour, no markdown)."""
    rank = f"#{p.rank}{' (tied)' if p.tied else ''} of {p.ranked}" if p.rank else "unranked"
    lines = [
        f"Progress: {p.display_name or p.user_id}",
        f"  Points        {p.points:g} (rank {rank})",
        f"  Streak        {p.streak.current} days (best {p.streak.best})",
        f"  Answered      {p.answered} daily, {p.reviews} reviews",
        f"  Accuracy      {_pct(p.overall.accuracy)}",
        "By round:",
    ]
    lines += [f"  {p.round_names.get(r, r):<28} {_tally(t)}" for r, t in p.by_round.items()]
    lines.append("By topic:")
    lines += [f"  {t.name[:40]:<40} {_tally(t.tally)}" for t in p.topics]
    if p.weakest:
        lines.append("Study next:")
        lines += [f"  {t.name} ({_pct(t.tally.accuracy)}): {t.study}" for t in p.weakest]
    c = p.calibration
    if c.sure:
        lines.append(f"Calibration: right {_pct(c.rate)} of {c.sure} sure answers")
        if c.confidently_wrong:
            wrong = ", ".join(p.topic_names.get(t, t) for t in c.confidently_wrong)
            lines.append(f"  Sure but wrong in: {wrong}")
    if p.mocks:
        lines.append("Mock scores: " + " -> ".join(f"{m.score:.0f}" for m in p.mocks))
    if p.recommended:
        names = ", ".join(p.topic_names.get(t, t) for t in p.recommended)
        lines.append(f"Debriefs recommend: {names}")
    if p.plan is not None and p.plan.started:
        if p.plan.in_review_cycle:
            lines.append(f"Plan: review cycle (day {p.plan.day})")
        else:
            lines.append(f"Plan: day {p.plan.day} of {p.plan.length}, week {p.plan.week}")
    lines.append(f"Review cards due: {p.due_cards}")
    return lines


async def print_progress(
    service: ProgressService, guild_id: int, member_id: int, write: Callable[[str], object]
) -> None:
    """Write the member's progress report, line by line."""
    progress = await service.progress(guild_id, member_id, member_id)
    for line in format_progress(progress):
        write(line)
