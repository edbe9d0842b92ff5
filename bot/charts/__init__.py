"""Charts as PNG bytes (matplotlib, Agg). The only package that imports matplotlib.

It sits beside ``store`` and ``llm``: it reads the services' plain results, and
``discord_ui`` and ``cli`` call it; services never do. Rendering is CPU work, so
callers on the event loop run it with ``asyncio.to_thread``. Figures are built
with the object API (``Figure`` + ``FigureCanvasAgg``), never ``pyplot``, so no
global state is shared between threads.

Every image is a self-contained card: a solid slate background with light text,
which reads the same on Discord's dark (#313338) and light (#FFFFFF) themes.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

CARD = "#2B2D31"
BORDER = "#4E5058"
TEXT = "#F2F3F5"
INK = "#1E1F22"  # text on a coloured bar
MUTED = "#B5BAC1"
GRID = "#404249"
BLUE = "#7C8CF8"
GREEN = "#3BA55C"
AMBER = "#E0A030"
RED = "#ED4245"
DPI = 100


def new_figure(width_px: int, height_px: int) -> Figure:
    figure = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI, facecolor=CARD)
    FigureCanvasAgg(figure)
    figure.patch.set_edgecolor(BORDER)
    figure.patch.set_linewidth(2)
    return figure


def style_axes(axes: Axes, title: str) -> None:
    axes.set_facecolor(CARD)
    axes.set_title(title, color=TEXT, fontsize=13, loc="left", pad=10, fontweight="bold")
    axes.tick_params(colors=MUTED, labelsize=10)
    for side, spine in axes.spines.items():
        spine.set_visible(side in ("left", "bottom"))
        spine.set_color(GRID)
    axes.grid(color=GRID, linewidth=0.8, alpha=0.8)
    axes.set_axisbelow(True)


def accuracy_colour(accuracy: float) -> str:
    """Green, amber or red by accuracy; all three keep contrast on the slate card."""
    if accuracy >= 0.75:
        return GREEN
    return AMBER if accuracy >= 0.5 else RED


def to_png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor=CARD, edgecolor=BORDER)
    return buffer.getvalue()
