"""Progress, leaderboard, review and recap values to embeds and views. No I/O."""

from __future__ import annotations

import discord

from bot.discord_ui import ids_progress as pids
from bot.discord_ui.render import COLOUR, LETTERS, safe, static_view
from bot.domain.progress import Tally
from bot.domain.questions import Kind, Question
from bot.services.leaderboard import Board, BoardLine
from bot.services.progress import MemberProgress
from bot.services.recap import Recap
from bot.services.review import ReviewItem, ReviewResult

CHART_NAME = "progress.png"
RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _tally(stats: Tally) -> str:
    mark = " (few answers)" if stats.few else ""
    return f"{_pct(stats.accuracy)} of {stats.answered}{mark}"


def progress_embed(p: MemberProgress) -> discord.Embed:
    title = f"Progress · {safe(p.display_name, 60)}" if p.display_name else "Progress"
    embed = discord.Embed(title=title, colour=COLOUR)
    rank = f"#{p.rank}{' (tied)' if p.tied else ''} of {p.ranked}" if p.rank else "unranked"
    hidden = "\nHidden from public boards." if p.hidden else ""
    embed.description = f"**{p.points:g}** points · rank {rank}{hidden}"
    embed.add_field(
        name="Streak", value=f"{p.streak.current} days (best {p.streak.best})", inline=True
    )
    embed.add_field(name="Answered", value=f"{p.answered} daily · {p.reviews} reviews", inline=True)
    embed.add_field(name="Accuracy", value=_pct(p.overall.accuracy), inline=True)
    rounds = [f"{safe(p.round_names.get(r, r), 40)}: {_tally(t)}" for r, t in p.by_round.items()]
    embed.add_field(name="By round", value=safe("\n".join(rounds) or "—", 1024), inline=False)
    topics = sorted(p.topics, key=lambda t: t.tally.accuracy or 0.0)
    lines = [f"{t.name}: {_tally(t.tally)}" for t in topics[:12]]
    if len(topics) > 12:
        lines.append(f"…and {len(topics) - 12} more")
    embed.add_field(name="By topic", value=safe("\n".join(lines) or "—", 1024), inline=False)
    if p.weakest:
        weak = [f"**{t.name}** ({_pct(t.tally.accuracy)}): {t.study}" for t in p.weakest]
        embed.add_field(name="Study next", value=safe("\n".join(weak), 1024), inline=False)
    embed.add_field(name="Calibration", value=_calibration(p), inline=False)
    embed.add_field(name="Mock interviews", value=_mocks(p), inline=False)
    embed.add_field(name="Plan", value=_plan(p), inline=True)
    embed.add_field(name="Review cards due", value=str(p.due_cards), inline=True)
    embed.set_image(url=f"attachment://{CHART_NAME}")
    return embed


def _calibration(p: MemberProgress) -> str:
    c = p.calibration
    if not c.sure:
        return "No answers marked “sure” yet."
    text = f"Right {_pct(c.rate)} of the {c.sure} times you were sure."
    if c.confidently_wrong:
        names = ", ".join(p.topic_names.get(t, t) for t in c.confidently_wrong[:3])
        text += f"\nSure but wrong in: {names}"
    return safe(text, 1024)


def _mocks(p: MemberProgress) -> str:
    if not p.mocks:
        return "None yet: try `/mock`."
    scores = " → ".join(f"{m.score:.0f}" for m in p.mocks[-8:])
    text = f"Scores: {scores}"
    if p.recommended:
        text += "\nRecommended: " + ", ".join(p.topic_names.get(t, t) for t in p.recommended[:5])
    return safe(text, 1024)


def _plan(p: MemberProgress) -> str:
    plan = p.plan
    if plan is None or not plan.started:
        return "Not started"
    if plan.in_review_cycle:
        return f"Review cycle (day {plan.day}, plan of {plan.length} days done)"
    return safe(f"Day {plan.day} of {plan.length} · week {plan.week}: {plan.theme}", 1024)


def share_view(member_id: int) -> discord.ui.View:
    view = static_view()
    view.add_item(
        discord.ui.Button(
            label="Share in channel",
            style=discord.ButtonStyle.secondary,
            custom_id=pids.share(member_id),
        )
    )
    return view


def _board_value(board: Board, line: BoardLine) -> str:
    if board.kind == "points":
        return f"{line.points:g} pts"
    return f"{line.score:.0%} ({_pct(line.accuracy)} raw, {line.answered})"


def board_embed(board: Board) -> discord.Embed:
    what = "points" if board.kind == "points" else "accuracy"
    scope = f" · {board.round.value}" if board.round else ""
    embed = discord.Embed(title=f"Leaderboard · {what} · {board.label}{scope}", colour=COLOUR)
    rows = [
        f"`{line.rank:>3}{'=' if line.tied else ' '}` {safe(line.name, 40)} · "
        f"{_board_value(board, line)}"
        for line in board.lines
    ]
    embed.description = "\n".join(rows) or "Nobody has answered in this period yet."
    notes = []
    if any(line.tied for line in board.lines):
        notes.append("= marks a tie: equal scores share a rank.")
    if board.kind == "accuracy":
        notes.append(
            f"Accuracy is shrunk towards the group mean ({_pct(board.group_accuracy)}) "
            f"with {board.k:g} pseudo-answers, so a few lucky answers do not top the board."
        )
    if notes:
        embed.add_field(name="How to read it", value="\n".join(notes), inline=False)
    if board.viewer is not None:
        v = board.viewer
        you = f"#{v.rank}{' (tied)' if v.tied else ''} · {_board_value(board, v)}"
        if board.viewer_hidden:
            you += " · hidden from the board (/privacy)"
        embed.add_field(name="You", value=you, inline=False)
    embed.set_footer(text=f"Page {board.page + 1} of {board.pages} · {board.ranked} members")
    return embed


def board_view(board: Board) -> discord.ui.View:
    query = pids.BoardQuery(
        board.kind, board.period.value, board.round.value if board.round else None
    )
    view = static_view()
    for label, page, disabled in (
        ("◀ Previous", board.page - 1, board.page == 0),
        ("Next ▶", board.page + 1, board.page >= board.pages - 1),
    ):
        view.add_item(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=pids.board_page(max(page, 0), query),
                disabled=disabled,
            )
        )
    return view


def review_embed(item: ReviewItem) -> discord.Embed:
    question = item.question
    embed = discord.Embed(title="Review", description=question.prompt, colour=COLOUR)
    if question.kind is Kind.CHOICE:
        lines = [f"**{LETTERS[i]}.** {o.text}" for i, o in enumerate(question.options)]
        embed.add_field(name="Options", value="\n".join(lines), inline=False)
    embed.set_footer(text=f"{question.id} · {item.due} card(s) due")
    return embed


def review_view(question: Question) -> discord.ui.View:
    view = static_view()
    if question.kind is Kind.CHOICE:
        for index, _ in enumerate(question.options):
            view.add_item(
                discord.ui.Button(
                    label=LETTERS[index],
                    style=discord.ButtonStyle.secondary,
                    custom_id=pids.review_choice(question.id, index),
                )
            )
    else:
        view.add_item(
            discord.ui.Button(
                label="Answer",
                style=discord.ButtonStyle.primary,
                custom_id=pids.review_open(question.id),
            )
        )
    return view


def review_result_embed(result: ReviewResult) -> discord.Embed:
    embed = discord.Embed(title="Reviewed", colour=COLOUR)
    embed.description = safe(result.grade.feedback or "Graded.", 2000)
    embed.add_field(name="Credit", value=_pct(result.grade.credit))
    embed.add_field(name="Rating", value=RATINGS.get(result.rating, "?"))
    embed.add_field(name="Next review", value=discord.utils.format_dt(result.next_due, "R"))
    embed.set_footer(text=f"{result.remaining} card(s) still due")
    return embed


def next_view(remaining: int) -> discord.ui.View | None:
    if remaining <= 0:
        return None
    view = static_view()
    view.add_item(
        discord.ui.Button(
            label="Next card", style=discord.ButtonStyle.primary, custom_id=pids.review_next()
        )
    )
    return view


def recap_embed(recap: Recap) -> discord.Embed:
    embed = discord.Embed(title=f"Week of {recap.week_start.isoformat()}", colour=COLOUR)
    embed.description = (
        f"{recap.participants} members answered {recap.answers} questions · "
        f"group accuracy {_pct(recap.accuracy)}"
    )
    top = [f"{m.rank}. {safe(m.name, 40)} · {m.points:g} pts" for m in recap.top]
    embed.add_field(name="Top members", value="\n".join(top) or "—", inline=False)
    if recap.most_missed:
        embed.add_field(
            name="Most missed topic",
            value=safe(f"{recap.most_missed} ({_pct(recap.most_missed_accuracy)})", 1024),
            inline=False,
        )
    embed.set_image(url="attachment://recap.png")
    return embed
