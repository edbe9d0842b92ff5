"""Helpers for end-to-end tests of the daily question."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from tests.fakes.discord_server import StudyGroupDiscord

REPO = Path(__file__).resolve().parents[1]


def tiny_content(tmp_path: Path) -> Path:
    """A content dir with the real taxonomy and plan and the tiny test questions."""
    content = tmp_path / "content"
    (content / "questions").mkdir(parents=True)
    shutil.copy(REPO / "content" / "taxonomy.yaml", content / "taxonomy.yaml")
    shutil.copy(REPO / "content" / "plan.yaml", content / "plan.yaml")
    files = yaml.safe_load((REPO / "tests" / "data" / "tiny_questions.yaml").read_text())
    for number, data in enumerate(files):
        (content / "questions" / f"tiny{number}.yaml").write_text(yaml.safe_dump(data))
    return content


def question_posts(fake: StudyGroupDiscord, channel_id: int) -> list[dict[str, Any]]:
    """Messages in the channel that carry a daily question."""
    return [
        m
        for m in fake.channel_messages(channel_id)
        if m.get("embeds") and m["embeds"][0].get("title", "").startswith("Daily question")
    ]


def posted_question_id(message: dict[str, Any]) -> str:
    footer = message["embeds"][0]["footer"]["text"]
    match = re.match(r"([a-z]+-\d{3})", footer)
    assert match, footer
    return match.group(1)


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message.get("components", []) for c in row["components"]]
