"""What members read: bank text reflowed for Discord, ties ranked fairly, limits kept."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.discord_ui import ids, render
from bot.domain.models import Posting, PostingStatus
from bot.store.content import load_bank


def test_reflow_joins_wrapped_prose_and_keeps_code_and_lists():
    text = (
        "A model is trained\nfor a week.\n\n- first item\n- second\n\n"
        "```python\nx = 1\nprint(x)\n```\nAfter the\ncode."
    )
    assert render.reflow(text) == (
        "A model is trained for a week.\n\n- first item\n- second\n\n"
        "```python\nx = 1\nprint(x)\n```\nAfter the code."
    )


@given(
    st.lists(st.sampled_from(["word", "two words", "", "- item", "```", "1. step"]), max_size=30)
)
def test_reflow_only_ever_changes_whitespace(lines):
    text = "\n".join(lines)
    assert re.sub(r"\s", "", render.reflow(text)) == re.sub(r"\s", "", text)


def test_equal_points_share_a_rank():
    top = [("ann", 30.0), ("bob", 20.0), ("cy", 20.0), ("di", 10.0)]
    ranks = [line.split(".")[0] for line in render.ranked_top(top)]
    assert ranks == ["1", "2", "2", "4"]


def test_every_question_renders_within_discords_limits():
    bank = load_bank()
    closes = datetime.now(UTC) + timedelta(hours=1)
    for number, question in enumerate(bank.questions, 1):
        posting = Posting(number, 1, date(2026, 1, 1), 1, question.id, 1, 1,
                          PostingStatus.POSTED, closes)  # fmt: skip
        embed = render.question_embed(posting, question, bank.taxonomy)
        assert len(embed) <= 6000 and len(embed.description or "") <= 4096
        assert all(len(field.value or "") <= 1024 for field in embed.fields)
        view = render.question_view(posting, question)
        custom_ids = [getattr(item, "custom_id", "") or "" for item in view.children]
        assert all(len(c) <= ids.MAX_LENGTH and c.isascii() for c in custom_ids)
        assert all(ids.decode(c) is not None for c in custom_ids)
