"""``custom_id``s of the mock interview buttons: ``sb:1:<kind>:<interview id>``.

Built and parsed only here, like :mod:`bot.discord_ui.ids` for the daily
question. They carry the interview id and nothing else; handlers reload the
interview and check that the person pressing is its candidate.
"""

from __future__ import annotations

import re
from enum import StrEnum

from bot.discord_ui.ids import MAX_LENGTH, PREFIX


class MockKind(StrEnum):
    HINT = "mhint"
    END = "mend"
    RETRY = "mretry"


_PATTERN = re.compile(r"^sb:1:(?P<kind>mhint|mend|mretry):(?P<interview>\d{1,19})$")


def encode(kind: MockKind, interview_id: int) -> str:
    text = f"{PREFIX}:{kind.value}:{interview_id}"
    if len(text) > MAX_LENGTH or not text.isascii() or interview_id < 0:
        raise ValueError(f"bad mock custom_id: {text!r}")
    return text


def decode(custom_id: str) -> tuple[MockKind, int] | None:
    """``(kind, interview id)``, or None for anything that is not a mock button of ours."""
    match = _PATTERN.match(custom_id)
    if match is None:
        return None
    return MockKind(match["kind"]), int(match["interview"])


def template(kind: MockKind) -> str:
    """The DynamicItem template for ``kind``; the id is in the ``interview`` group."""
    return rf"sb:1:{kind.value}:(?P<interview>\d{{1,19}})"
