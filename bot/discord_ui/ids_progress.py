"""``custom_id``s of progress, leaderboard and review components: built and parsed only here.

Format ``sb:1:<kind>:<number>:<arg>``, ASCII, at most 100 characters, like
:mod:`bot.discord_ui.ids`. They carry identifiers and view parameters only
(a page number, a board's filters, a question id); every handler reloads the
figures and checks who clicked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.discord_ui.ids import MAX_LENGTH, PREFIX


class ProgressKind(StrEnum):
    BOARD_PAGE = "lb"  # number: page (0-based); arg: <board>.<period>.<round|all>
    SHARE = "pshare"  # number: member id; arg: "p"
    REVIEW_CHOICE = "rvc"  # number: option index; arg: question id
    REVIEW_OPEN = "rvo"  # number: 0; arg: question id (opens the modal)
    REVIEW_MODAL = "rvm"  # number: 0; arg: question id
    REVIEW_NEXT = "rvn"  # number: 0; arg: "next"


_ARG = r"[a-z0-9.-]{1,60}"
_PATTERN = re.compile(rf"^sb:1:(?P<kind>[a-z]+):(?P<number>\d{{1,19}}):(?P<arg>{_ARG})$")


@dataclass(frozen=True)
class ProgressId:
    kind: ProgressKind
    number: int
    arg: str

    def encode(self) -> str:
        text = f"{PREFIX}:{self.kind.value}:{self.number}:{self.arg}"
        if len(text) > MAX_LENGTH or not _PATTERN.match(text):
            raise ValueError(f"invalid custom_id: {text!r}")
        return text


def template(kind: ProgressKind) -> str:
    """A regex for DynamicItem templates matching ids of ``kind``."""
    return rf"sb:1:{kind.value}:(?P<number>\d{{1,19}}):(?P<arg>{_ARG})"


def decode(custom_id: str) -> ProgressId | None:
    match = _PATTERN.match(custom_id)
    if not match:
        return None
    try:
        kind = ProgressKind(match["kind"])
    except ValueError:
        return None
    return ProgressId(kind, int(match["number"]), match["arg"])


@dataclass(frozen=True)
class BoardQuery:
    kind: str  # points | accuracy
    period: str  # week | season | all
    round: str | None


def board_page(page: int, query: BoardQuery) -> str:
    arg = f"{query.kind}.{query.period}.{query.round or 'all'}"
    return ProgressId(ProgressKind.BOARD_PAGE, page, arg).encode()


def parse_board(arg: str) -> BoardQuery | None:
    parts = arg.split(".")
    if len(parts) != 3:
        return None
    kind, period, round_ = parts
    return BoardQuery(kind, period, None if round_ == "all" else round_)


def share(member_id: int) -> str:
    return ProgressId(ProgressKind.SHARE, member_id, "p").encode()


def review_choice(question_id: str, option: int) -> str:
    return ProgressId(ProgressKind.REVIEW_CHOICE, option, question_id).encode()


def review_open(question_id: str) -> str:
    return ProgressId(ProgressKind.REVIEW_OPEN, 0, question_id).encode()


def review_modal(question_id: str) -> str:
    return ProgressId(ProgressKind.REVIEW_MODAL, 0, question_id).encode()


def review_next() -> str:
    return ProgressId(ProgressKind.REVIEW_NEXT, 0, "next").encode()
