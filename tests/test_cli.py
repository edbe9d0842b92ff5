"""The terminal commands, run as a member would run them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def studybot(*args: str, cwd: Path, stdin: str = "", env_extra: dict[str, str] | None = None):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), **(env_extra or {})}
    return subprocess.run(  # noqa: S603 - our own entry point
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "PYTHONPATH": str(REPO)},
        check=False,
    )


def test_run_without_a_token_says_what_to_set(tmp_path):
    result = studybot("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in result.stderr and "docs/setup.md" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_setting_fails_with_one_line_naming_it(tmp_path):
    result = studybot("db", "upgrade", cwd=tmp_path, env_extra={"STUDYBOT_LOG_LEVEL": "LOUD"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "STUDYBOT_LOG_LEVEL" in result.stderr


def test_bank_stats_prints_one_json_object(tmp_path):
    result = studybot("bank", "stats", "--json", cwd=tmp_path)
    assert result.returncode == 0
    stats = json.loads(result.stdout)
    assert {"total", "by_round", "by_track", "by_topic", "by_kind", "by_difficulty"} <= set(stats)
    assert stats["total"] >= 500


def test_bank_validate_lists_every_problem_and_exits_1(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    assert studybot("bank", "validate", str(content), cwd=tmp_path).returncode == 0
    broken = content / "questions" / "coding.yaml"
    text = broken.read_text()
    text = text.replace("difficulty: 1", "difficulty: 7", 1).replace(
        "topic: algorithms", "topic: astrology", 1
    )
    broken.write_text(text)
    result = studybot("bank", "validate", str(content), cwd=tmp_path)
    assert result.returncode == 1
    assert "coding.yaml" in result.stdout
    problems = [line for line in result.stdout.splitlines() if "coding.yaml" in line]
    assert any("difficulty" in line for line in problems)  # a schema error ...
    assert any("topic" in line and "taxonomy" in line for line in problems)  # ... hides no other


def test_invite_url_carries_exactly_the_needed_permissions(tmp_path):
    result = studybot("invite-url", "--client-id", "1234", cwd=tmp_path)
    assert result.returncode == 0
    assert "client_id=1234" in result.stdout and "applications.commands" in result.stdout
    permissions = int(result.stdout.split("permissions=")[1].split("&")[0])
    assert permissions & 0x800 and permissions & 0x4000  # send messages, embed links
    assert not permissions & 0x8  # never administrator
    assert not permissions & 0x20000  # never mention @everyone


def test_practice_runs_todays_question_on_the_same_store(tmp_path):
    first = studybot("practice", cwd=tmp_path, stdin="A\n" + "It depends on the data.\n\n")
    assert first.returncode == 0, first.stderr
    assert (
        "Plan day 1" in first.stdout and "Credit:" in first.stdout and "Streak: 1" in first.stdout
    )
    again = studybot("practice", cwd=tmp_path, stdin="A\n")
    assert again.returncode == 1 and "Come back tomorrow" in again.stdout
    assert (tmp_path / "data" / "studybot.sqlite3").exists()


@pytest.mark.parametrize("round_", ["behavioral", "system-design"])
def test_mock_runs_an_offline_interview_to_its_debrief(tmp_path, round_):
    answer = "I would start from the requirements and a simple baseline, then measure.\n"
    result = studybot(
        "mock", "--round", round_, "--minutes", "10", cwd=tmp_path, stdin=answer + "/end\n"
    )
    assert result.returncode == 0, result.stderr
    assert "interviewer>" in result.stdout and "Overall:" in result.stdout


def test_mock_with_an_unknown_round_lists_the_valid_ones(tmp_path):
    result = studybot("mock", "--round", "astrology", cwd=tmp_path)
    assert result.returncode == 2
    assert "behavioral" in result.stderr + result.stdout


def test_grader_eval_prints_agreement_figures(tmp_path):
    result = studybot("grader", "eval", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "spearman rho" in result.stdout and "MAE" in result.stdout
