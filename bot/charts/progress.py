"""The progress chart, the leaderboard card and the weekly recap chart, as PNG bytes."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num

from bot.charts import (
    BLUE,
    GREEN,
    INK,
    MUTED,
    TEXT,
    accuracy_colour,
    new_figure,
    style_axes,
    to_png,
)
from bot.services.leaderboard import Board
from bot.services.progress import MemberProgress
from bot.services.recap import Recap

PROGRESS_SIZE = (1000, 460)
BOARD_WIDTH = 800
RECAP_SIZE = (1000, 420)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def progress_chart(progress: MemberProgress) -> bytes:
    """Accuracy per round (bars) beside cumulative points over time (line)."""
    figure = new_figure(*PROGRESS_SIZE)
    grid = figure.add_gridspec(1, 2, width_ratios=(1, 1.15), left=0.2, right=0.97, wspace=0.3)
    bars, line = figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1])
    style_axes(bars, "Accuracy by round")
    rounds = [r for r, t in progress.by_round.items() if t.answered]
    if rounds:
        names = [_clip(progress.round_names.get(r, r), 22) for r in rounds]
        values = [(progress.by_round[r].accuracy or 0.0) * 100 for r in rounds]
        counts = [progress.by_round[r].answered for r in rounds]
        positions = list(range(len(rounds)))
        bars.barh(positions, values, color=[accuracy_colour(v / 100) for v in values], height=0.6)
        bars.set_yticks(positions, names)
        bars.invert_yaxis()
        for y, value, count in zip(positions, values, counts, strict=True):
            inside = value > 75  # a long bar carries its label inside, in dark text
            bars.text(
                value - 2 if inside else value + 2, y, f"{value:.0f}% ({count})", va="center",
                ha="right" if inside else "left", color=INK if inside else TEXT, fontsize=10,
            )  # fmt: skip
    else:
        _empty(bars, "No answers yet")
    bars.set_xlim(0, 100)
    bars.set_xlabel("mean credit, % (answers)", color=MUTED)
    bars.grid(axis="y", visible=False)

    style_axes(line, "Points over time")
    series = progress.points_series
    if series:
        days = [float(date2num(p.day)) for p in series]  # type: ignore[no-untyped-call]
        totals = [point.total for point in series]
        line.plot(days, totals, color=BLUE, linewidth=2.2)
        line.fill_between(days, totals, color=BLUE, alpha=0.18)
        # matplotlib.dates has no annotations for these two.
        locator = AutoDateLocator(maxticks=6)  # type: ignore[no-untyped-call]
        line.xaxis.set_major_locator(locator)
        line.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        line.set_ylim(bottom=0)
        line.annotate(
            f"{totals[-1]:g} pts", (days[-1], totals[-1]), textcoords="offset points",
            xytext=(-8, 8), ha="right", color=TEXT, fontsize=10,
        )  # fmt: skip
    else:
        _empty(line, "No points yet")
    figure.suptitle(
        _clip(progress.display_name or "Your progress", 40), x=0.02, ha="left",
        color=TEXT, fontsize=15, fontweight="bold",
    )  # fmt: skip
    figure.subplots_adjust(top=0.8, bottom=0.14)
    return to_png(figure)


def _empty(axes: Axes, text: str) -> None:
    axes.text(
        0.5, 0.5, text, ha="center", va="center", color=MUTED, transform=axes.transAxes,
        fontsize=12,
    )  # fmt: skip


def leaderboard_image(board: Board) -> bytes:
    """The board's page as a table card (for docs and sharing)."""
    rows = list(board.lines)
    height = 120 + 36 * (len(rows) + (1 if board.viewer else 0)) + 30
    figure = new_figure(BOARD_WIDTH, height)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_axis_off()
    axes.set_xlim(0, BOARD_WIDTH)
    axes.set_ylim(height, 0)
    what = "Points" if board.kind == "points" else "Accuracy (shrunk)"
    scope = f" · {board.round.value}" if board.round else ""
    axes.text(24, 40, f"Leaderboard · {what}", color=TEXT, fontsize=17, fontweight="bold")
    axes.text(24, 70, f"{board.label}{scope} · page {board.page + 1}/{board.pages}",
              color=MUTED, fontsize=11)  # fmt: skip
    y = 110.0
    for line in rows:
        _board_row(axes, y, line.rank, line.tied, line.name, line.score, line.answered, board)
        y += 36
    if board.viewer:
        axes.plot([24, BOARD_WIDTH - 24], [y - 8, y - 8], color=MUTED, linewidth=0.6)
        v = board.viewer
        _board_row(axes, y + 10, v.rank, v.tied, f"You ({v.name})", v.score, v.answered, board)
    return to_png(figure)


def _board_row(
    axes: Axes, y: float, rank: int, tied: bool, name: str, score: float, n: int, board: Board
) -> None:
    text = axes.text
    colour = GREEN if rank == 1 else TEXT
    text(24, y, f"{'=' if tied else ' '}{rank}", color=colour, fontsize=13, family="monospace")
    text(90, y, _clip(name, 32), color=TEXT, fontsize=13)
    value = f"{score:g} pts" if board.kind == "points" else f"{score:.0%}"
    text(BOARD_WIDTH - 200, y, value, color=TEXT, fontsize=13, ha="right")
    answers = "answer" if n == 1 else "answers"
    text(BOARD_WIDTH - 24, y, f"{n} {answers}", color=MUTED, fontsize=11, ha="right")


def recap_chart(recap: Recap) -> bytes:
    """Group accuracy per week (bars) with the number of answers on top.

    A week nobody answered gets no bar and a "no answers" label, so it cannot be
    read as 0% accuracy.
    """
    figure = new_figure(*RECAP_SIZE)
    axes = figure.add_subplot(1, 1, 1)
    style_axes(axes, f"Group accuracy, weeks to {recap.week_start.isoformat()}")
    labels = [week.week_start.strftime("%d %b") for week in recap.trend]
    values = [(week.accuracy or 0.0) * 100 for week in recap.trend]
    positions = list(range(len(labels)))
    axes.bar(positions, values, color=[accuracy_colour(v / 100) for v in values], width=0.6)
    axes.set_xticks(positions, labels)
    for x, week, value in zip(positions, recap.trend, values, strict=True):
        label = f"{week.answered} answers" if week.answered else "no answers"
        axes.text(x, value + 2, label, ha="center", color=MUTED, fontsize=9)
    axes.set_ylim(0, 105)
    axes.set_ylabel("mean credit, %", color=MUTED)
    axes.grid(axis="x", visible=False)
    figure.subplots_adjust(left=0.08, right=0.97, top=0.86, bottom=0.12)
    return to_png(figure)
