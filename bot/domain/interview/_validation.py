"""Checks on what a member sends: a start request and a candidate's message."""

from __future__ import annotations

import re
import unicodedata

from bot.domain.errors import InvalidInputError
from bot.domain.interview._session import MockSetup, Mode
from bot.domain.questions import Round, Track

MIN_MINUTES = 10
MAX_MINUTES = 60
DEFAULT_MINUTES = 30
MESSAGE_MAX_CHARS = 4000


def _choices(values: list[str]) -> str:
    return ", ".join(f"`{value}`" for value in values)


def validate_setup(round_: str, track: str | None, minutes: int, mode: str) -> MockSetup:
    """Check a start request; raises InvalidInputError naming the valid values."""
    try:
        parsed_round = Round(round_.strip().lower())
    except ValueError:
        raise InvalidInputError(
            f"There is no round called `{round_[:30]}`. Pick one of {_choices(list(Round))}."
        ) from None
    parsed_track = None
    if parsed_round is Round.SPECIALIZATION:
        try:
            parsed_track = Track((track or "").strip().lower())
        except ValueError:
            raise InvalidInputError(
                f"A specialization mock needs a track: one of {_choices(list(Track))}."
            ) from None
    elif track:
        raise InvalidInputError("Only the `specialization` round takes a track; leave it empty.")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise InvalidInputError(
            f"A mock lasts {MIN_MINUTES} to {MAX_MINUTES} minutes (default {DEFAULT_MINUTES})."
        )
    try:
        parsed_mode = Mode(mode.strip().lower())
    except ValueError:
        raise InvalidInputError(f"Mode must be one of {_choices(list(Mode))}.") from None
    return MockSetup(parsed_round, parsed_track, minutes, parsed_mode)


def clean_candidate_message(text: str) -> str:
    """A candidate's message ready to store; raises InvalidInputError if unusable.

    Checked before anything is stored, so a refused message leaves no turn.
    """
    cleaned = unicodedata.normalize("NFKC", text)
    cleaned = "".join(ch for ch in cleaned if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned).strip()
    if not cleaned:
        raise InvalidInputError("That message is empty. Type your answer and send it again.")
    if len(cleaned) > MESSAGE_MAX_CHARS:
        raise InvalidInputError(
            f"That message is {len(cleaned):,} characters; please shorten it to "
            f"{MESSAGE_MAX_CHARS:,} or split it over two messages."
        )
    return cleaned
