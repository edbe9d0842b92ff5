"""Cutting a long reply into Discord-sized messages without breaking code blocks.

A reply streams in and is shown as a series of messages of at most
:data:`TARGET` characters. Cuts fall on a paragraph break, else a line break,
else a space, else anywhere, and always leave at least half a message behind
them. A cut inside a fenced code block closes the fence at the end of that
message (:data:`CLOSE`) and reopens it, with its language, at the start of the
next one: these *repair lines* are the only text added, and :func:`join_parts`
takes them out again, so the parts always join back to the exact reply.

Cutting is greedy and looks only at the text before each cut, so once a part
exists it never changes as more text arrives: only the last part grows. That
is what lets a streaming renderer treat every part but the last as final.
"""

from __future__ import annotations

import re

TARGET = 1900  # Discord allows 2,000; the rest is headroom
FENCE = "```"
CLOSE = "\n" + FENCE  # appended to a part cut inside a code block
MAX_LANG = 20
_LANG = re.compile(rf"[\w+#.-]{{1,{MAX_LANG}}}")


def _fence_line(line: str) -> bool:
    return line.lstrip(" ")[:3] == FENCE and len(line) - len(line.lstrip(" ")) <= 3


def scan_fence(text: str, open_lang: str | None = None, line_start: bool = True) -> str | None:
    """The language of the code block still open after ``text`` ("" if none given), or None.

    ``open_lang`` is the state before ``text``; ``line_start`` is False when
    ``text`` continues a line begun earlier, whose start was already judged. A
    line opening or closing a fence starts with three backticks; a line that
    opens and closes on itself (```x```) changes nothing. Each line is judged
    where it starts, so scanning slices in turn gives the same state as a whole.
    """
    state = open_lang
    for number, line in enumerate(text.split("\n")):
        if (number == 0 and not line_start) or not _fence_line(line):
            continue
        stripped = line.strip()
        if state is not None:
            state = None
        elif stripped.count(FENCE) == 1:
            match = _LANG.match(stripped[3:].strip())
            state = match.group(0) if match else ""
    return state


def reopen(lang: str) -> str:
    """The repair line that reopens a code block cut at the previous message's end."""
    return f"{FENCE}{lang}\n"


def _cut(text: str, budget: int, inside: bool) -> int:
    """Where to cut ``text`` (longer than ``budget``): an index in [budget // 2, budget]."""
    window = text[:budget]
    floor = budget // 2
    separators = ("\n",) if inside else ("\n\n", "\n", " ")
    for separator in separators:
        at = window.rfind(separator, floor)
        if at != -1:
            return at + len(separator)
    # A hard cut must not leave a bare fence as the part's last line: the
    # repair line after it would be read as that fence's twin.
    return budget - 1 if window.endswith(CLOSE) else budget


def split_message(text: str, target: int = TARGET) -> list[str]:
    """``text`` as messages of at most ``target`` characters (``target`` >= 100).

    Every part but the last ends outside a code block; the text of each part,
    minus repair lines, is a slice of ``text`` (see :func:`join_parts`).
    """
    if target < 100:
        raise ValueError("target must be at least 100 characters")
    parts: list[str] = []
    state: str | None = None  # language of the block open where the next part starts
    line_start = True
    rest = text
    while True:
        prefix = reopen(state) if state is not None else ""
        budget = target - len(prefix) - len(CLOSE)
        if len(prefix) + len(rest) <= target:
            parts.append(prefix + rest)
            return parts
        cut = _cut(rest, budget, inside=state is not None)
        body, rest = rest[:cut], rest[cut:]
        state = scan_fence(body, state, line_start)
        line_start = body.endswith("\n")
        parts.append(prefix + body + (CLOSE if state is not None else ""))


def join_parts(parts: list[str]) -> str:
    """The text :func:`split_message` was given: the parts without their repair lines."""
    out: list[str] = []
    state: str | None = None
    line_start = True
    for index, part in enumerate(parts):
        body = part
        if state is not None:
            expected = reopen(state)
            if not body.startswith(expected):
                raise ValueError(f"part {index} does not reopen the open code block")
            body = body[len(expected) :]
        last = index == len(parts) - 1
        trimmed = body[: -len(CLOSE)]
        if not last and body.endswith(CLOSE) and scan_fence(trimmed, state, line_start) is not None:
            body = trimmed
        state = scan_fence(body, state, line_start)
        line_start = body.endswith("\n")
        out.append(body)
    return "".join(out)
