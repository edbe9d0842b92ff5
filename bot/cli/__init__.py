"""The ``studybot`` command line: argument parsing and the terminal commands.

``__main__`` parses with :func:`build_parser`, builds what a command needs and
calls the handler here; commands that need Discord (``run``, ``invite-url``)
are handled there, the composition root.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import __version__
from bot.store.content import DEFAULT_CONTENT_DIR, check_content

DEFAULT_CASES = DEFAULT_CONTENT_DIR.parent / "tests" / "data" / "graded_answers.yaml"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studybot", description="A Discord study group for ML/AI engineer interviews."
    )
    parser.add_argument("--version", action="version", version=f"studybot {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("run", help="connect to Discord and run the bot")

    invite = commands.add_parser("invite-url", help="print the link that adds the bot to a server")
    invite.add_argument("--client-id", type=int, help="application id (default: from the token)")

    commands.add_parser("health", help="exit 0 when the database opens and is migrated")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply database migrations")

    bank = commands.add_parser("bank", help="inspect the question bank")
    bank_commands = bank.add_subparsers(dest="bank_command", required=True, metavar="ACTION")
    validate = bank_commands.add_parser("validate", help="check the bank; exit 1 on problems")
    validate.add_argument("path", nargs="?", type=Path, default=DEFAULT_CONTENT_DIR)
    stats = bank_commands.add_parser("stats", help="count questions by round, topic, ...")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.add_argument("--path", type=Path, default=DEFAULT_CONTENT_DIR)
    practice = commands.add_parser("practice", help="answer today's question in the terminal")
    practice.add_argument("--member", type=int, default=1, help="your member id (default 1)")
    practice.add_argument("--timezone", default="UTC", help="your IANA time zone")

    mock = commands.add_parser("mock", help="sit a mock interview in the terminal")
    mock.add_argument("--round", required=True, help="coding, ml-fundamentals, ... behavioral")
    mock.add_argument("--track", help="nlp, cv, rl or recsys (specialization only)")
    mock.add_argument("--minutes", type=int, default=30, help="10 to 60 (default 30)")
    mock.add_argument("--mode", choices=("practice", "real"), default="practice")
    mock.add_argument("--member", type=int, default=1, help="your member id (default 1)")

    progress = commands.add_parser("progress", help="a member's figures, as /progress shows")
    progress.add_argument("--member", type=int, required=True, help="the member's user id")
    progress.add_argument(
        "--guild", type=int, default=0, help="server id (default 0: the terminal group)"
    )

    grader = commands.add_parser("grader", help="the answer grader")
    grader_commands = grader.add_subparsers(dest="grader_command", required=True, metavar="ACTION")
    evaluate = grader_commands.add_parser("eval", help="agreement with expert-graded answers")
    evaluate.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    return parser


def bank_validate(content_dir: Path) -> int:
    """Print every problem of the bank at ``content_dir``; 0 when clean, else 1."""
    bank, problems = check_content(content_dir)
    for problem in problems:
        print(problem)
    if problems or bank is None:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    print(f"The bank is valid: {len(bank.questions)} questions.")
    return 0


def bank_stats(content_dir: Path, as_json: bool) -> int:
    bank, problems = check_content(content_dir)
    if bank is None:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    stats = bank.stats()
    if as_json:
        print(json.dumps(stats, sort_keys=True))
        return 0
    for key, value in stats.items():
        print(f"{key}: {value}")
    return 0


def run_terminal_command(args: argparse.Namespace) -> int | None:
    """Run a command that needs neither Discord nor settings; None if not one of them."""
    if args.command == "bank" and args.bank_command == "validate":
        return bank_validate(args.path)
    if args.command == "bank" and args.bank_command == "stats":
        return bank_stats(args.path, args.json)
    return None


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    return build_parser().parse_args(argv)
