"""The ``custom_id`` codec: built and parsed only here.

Format ``sb:1:<kind>:<posting id>[:<arg>]``, ASCII, at most 100 characters.
Ids carry identifiers only; every handler reloads state from the database and
treats the id as untrusted input. Version ``1`` lets a future format coexist
with buttons already posted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

PREFIX = "sb:1"
MAX_LENGTH = 100


class Kind(StrEnum):
    CHOICE = "ans"  # arg: option index
    OPEN = "open"  # opens the answer modal
    ANSWER_MODAL = "modal"
    CONFIDENCE = "conf"  # arg: sure | unsure | guess
    MY_RESULT = "mine"
    REPORT = "report"
    REPORT_MODAL = "rmodal"


@dataclass(frozen=True)
class ComponentId:
    kind: Kind
    posting_id: int
    arg: str | None = None

    def encode(self) -> str:
        text = f"{PREFIX}:{self.kind.value}:{self.posting_id}"
        if self.arg is not None:
            text += f":{self.arg}"
        if len(text) > MAX_LENGTH or not text.isascii():
            raise ValueError(f"custom_id too long or not ASCII: {text!r}")
        return text


_PATTERN = re.compile(r"^sb:1:(?P<kind>[a-z]+):(?P<posting>\d{1,19})(?::(?P<arg>[a-z0-9]{1,16}))?$")


def template(kind: Kind, arg: str | None = None) -> str:
    """A regex for DynamicItem templates matching ids of ``kind``."""
    tail = f":(?P<arg>{arg})" if arg else ""
    return rf"sb:1:{kind.value}:(?P<posting>\d{{1,19}}){tail}"


def decode(custom_id: str) -> ComponentId | None:
    """The parsed id, or None for anything that is not one of ours."""
    match = _PATTERN.match(custom_id)
    if not match:
        return None
    try:
        kind = Kind(match["kind"])
    except ValueError:
        return None
    return ComponentId(kind, int(match["posting"]), match["arg"])


def choice(posting_id: int, option: int) -> str:
    return ComponentId(Kind.CHOICE, posting_id, str(option)).encode()


def open_answer(posting_id: int) -> str:
    return ComponentId(Kind.OPEN, posting_id).encode()


def answer_modal(posting_id: int) -> str:
    return ComponentId(Kind.ANSWER_MODAL, posting_id).encode()


def confidence(posting_id: int, level: str) -> str:
    return ComponentId(Kind.CONFIDENCE, posting_id, level).encode()


def my_result(posting_id: int) -> str:
    return ComponentId(Kind.MY_RESULT, posting_id).encode()


def report(posting_id: int) -> str:
    return ComponentId(Kind.REPORT, posting_id).encode()


def report_modal(posting_id: int) -> str:
    return ComponentId(Kind.REPORT_MODAL, posting_id).encode()
