"""Splitting replies into Discord messages: sizes, code fences, exact round trips."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.message_split import (
    CLOSE,
    TARGET,
    join_parts,
    reopen,
    scan_fence,
    split_message,
)

WORDS = st.sampled_from(
    ["the", "gradient", "loss", "x", "```", "```python", "```sql", "`", "a" * 50, "🙂", "ünï"]
)
SEPARATORS = st.sampled_from([" ", " ", " ", "\n", "\n\n", "\n```\n", "\n```py\n", ""])


@st.composite
def replies(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.tuples(WORDS, SEPARATORS), max_size=900))
    text = "".join(word + separator for word, separator in pieces)
    if draw(st.booleans()):
        text += draw(st.text(max_size=3000))  # anything at all, long lines included
    return text


TARGETS = st.sampled_from([100, 137, 500, TARGET])


@settings(max_examples=300, deadline=None)
@given(replies(), TARGETS)
def test_parts_fit_and_join_back_to_the_exact_text(text, target):
    parts = split_message(text, target)
    assert all(len(part) <= target for part in parts)
    assert join_parts(parts) == text
    assert all(parts[:-1]), "only the last part may be empty"


@settings(max_examples=300, deadline=None)
@given(replies(), TARGETS)
def test_every_part_but_the_last_ends_outside_a_code_block(text, target):
    parts = split_message(text, target)
    for part in parts[:-1]:
        assert scan_fence(part) is None, part


@settings(max_examples=200, deadline=None)
@given(replies(), st.integers(min_value=0, max_value=10_000), TARGETS)
def test_parts_never_change_once_followed_by_another(text, cut, target):
    """What a streaming renderer relies on: only the last part grows."""
    earlier = split_message(text[:cut], target)
    later = split_message(text, target)
    assert later[: len(earlier) - 1] == earlier[:-1]


def test_a_short_reply_is_one_message():
    assert split_message("Tell me about a time you disagreed.") == [
        "Tell me about a time you disagreed."
    ]


def test_cuts_prefer_paragraphs_then_lines():
    first = "a" * 1200
    text = first + "\n\n" + "b " * 900 + "\n" + "c" * 300
    parts = split_message(text)
    assert parts[0] == first + "\n\n"
    assert parts[1].endswith("\n")


def test_a_code_block_cut_in_two_is_closed_and_reopened_with_its_language():
    code = "\n".join(f"x{i} = {i}  # line" for i in range(200))
    text = "Here is the code:\n```python\n" + code + "\n```\nDone."
    parts = split_message(text)
    assert len(parts) >= 2
    assert parts[0].endswith(CLOSE)
    assert parts[1].startswith(reopen("python"))
    assert all(len(part) <= TARGET for part in parts)
    assert join_parts(parts) == text


def test_scan_fence_tracks_language_and_ignores_inline_fences():
    assert scan_fence("```sql\nselect 1") == "sql"
    assert scan_fence("```\ncode") == ""
    assert scan_fence("```a```") is None
    assert scan_fence("```py\nx\n```") is None
    assert scan_fence("text ```py", line_start=True) is None
