"""Progress and leaderboards over real SQLite: figures checked against a small fixed history.

The history (UTC server, every weekday, cohort from Monday 2026-03-02, "now" is
Thursday 2026-03-12 12:00):

    day  date   question  topic            alice          bob        carol (hidden)  dave
    d1   03-02  mlf-001   linear-models    1.0 20 sure    1.0 20     1.0 20          1.0 20
    d2   03-03  mlf-003   linear-models    0.0  0 sure    1.0 20     1.0 20
    d3   03-04  mlf-006   linear-models    1.0 20 unsure  1.0 20     1.0 20
    d4   03-05  cod-028   data-structures  -              -          -
    d5   03-06  cod-029   data-structures  1.0 10 sure    1.0 10     1.0 10
    d6   03-07  cod-031   data-structures  0.5  5 guess   1.0 10     1.0 10
    d7   03-08  dl-001    cnns             1.0 30 sure    0.5 15     1.0 30
    d8   03-09  dl-002    cnns             -              -          -
    d9   03-10  cod-032   data-structures  1.0 10 sure    -          -
    d10  03-11  dl-003    cnns             0.0  0 unsure  -          -

Alice 95 points of 8 answers (5.5 credit), Bob 95 of 6 (5.5), Carol 110 of 6
(6.0), Dave 20 of 1 (1.0). Alice had two mocks: 55 then 70.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from bot.domain.models import GuildConfig
from bot.domain.progress import Period
from bot.services.leaderboard import LeaderboardService, StandingsReader
from bot.services.progress import ProgressService
from bot.services.recap import WeeklyRecapService
from bot.services.review import ReviewService
from bot.store.content import load_plan
from bot.store.guilds import SqlGuildRepository
from bot.store.progress import SqlProgressRepository
from bot.store.review_cards import SqlReviewCardRepository
from bot.store.tables import answers, interviews, members, postings, scores

GUILD = 1
ALICE, BOB, CAROL, DAVE = 101, 102, 103, 104
NOW = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)
START = date(2026, 3, 2)
DAYS = [
    ("mlf-001", "linear-models", "ml-fundamentals"),
    ("mlf-003", "linear-models", "ml-fundamentals"),
    ("mlf-006", "linear-models", "ml-fundamentals"),
    ("cod-028", "data-structures", "coding"),
    ("cod-029", "data-structures", "coding"),
    ("cod-031", "data-structures", "coding"),
    ("dl-001", "cnns", "deep-learning"),
    ("dl-002", "cnns", "deep-learning"),
    ("cod-032", "data-structures", "coding"),
    ("dl-003", "cnns", "deep-learning"),
]
# user -> {day index: (credit, points, confidence)}
HISTORY: dict[int, dict[int, tuple[float, int, str | None]]] = {
    ALICE: {
        0: (1.0, 20, "sure"),
        1: (0.0, 0, "sure"),
        2: (1.0, 20, "unsure"),
        4: (1.0, 10, "sure"),
        5: (0.5, 5, "guess"),
        6: (1.0, 30, "sure"),
        8: (1.0, 10, "sure"),
        9: (0.0, 0, "unsure"),
    },
    BOB: {
        0: (1.0, 20, None),
        1: (1.0, 20, None),
        2: (1.0, 20, None),
        4: (1.0, 10, None),
        5: (1.0, 10, None),
        6: (0.5, 15, None),
    },
    CAROL: {
        0: (1.0, 20, None),
        1: (1.0, 20, None),
        2: (1.0, 20, None),
        4: (1.0, 10, None),
        5: (1.0, 10, None),
        6: (1.0, 30, None),
    },
    DAVE: {0: (1.0, 20, None)},
}
NAMES = {ALICE: "alice", BOB: "bob", CAROL: "carol", DAVE: "dave"}


class FixedClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def answered_at(day: int) -> datetime:
    return datetime.combine(START + timedelta(days=day), datetime.min.time(), UTC) + timedelta(
        hours=9, minutes=5
    )


async def seed_history(engine, *, cohort_start: date = START, ids=None, guild_id=GUILD) -> None:
    """The guild, its members, ten revealed postings, the scores and answers, two mocks.

    ``ids`` maps the history's member ids to others (an end-to-end test's members).
    """
    ids = ids or {}
    await SqlGuildRepository(engine).save(
        GuildConfig(
            id=guild_id, name="Study Group", channel_id=5, post_time="09:00", timezone="UTC",
            weekdays=frozenset(range(7)), answer_window_minutes=600, rounds=(), tracks=(),
            cohort_start=cohort_start, mention_role_id=None, paused=False, seed="s",
        ),
        NOW,
    )  # fmt: skip
    async with engine.begin() as connection:
        await connection.execute(
            insert(members),
            [
                {"guild_id": guild_id, "user_id": ids.get(u, u), "display_name": n,
                 "hidden": u == CAROL,
                 "first_seen_at": NOW}
                for u, n in NAMES.items()
            ],
        )  # fmt: skip
        for day, (question_id, _topic, _round) in enumerate(DAYS):
            await connection.execute(
                insert(postings).values(
                    id=day + 1, guild_id=guild_id, local_date=START + timedelta(days=day),
                    cohort_day=day + 1, question_id=question_id, channel_id=5,
                    status="revealed", claimed_at=NOW,
                    closes_at=answered_at(day) + timedelta(hours=9),
                )
            )  # fmt: skip
        score_rows, answer_rows = [], []
        for user, days in HISTORY.items():
            for day, (credit, points, confidence) in days.items():
                question_id, topic, round_ = DAYS[day]
                score_rows.append(
                    {"posting_id": day + 1, "user_id": ids.get(user, user), "guild_id": guild_id,
                     "local_date": START + timedelta(days=day), "question_id": question_id,
                     "topic": topic, "round": round_, "credit": credit, "points": points,
                     "answered_at": answered_at(day)}
                )  # fmt: skip
                answer_rows.append(
                    {"posting_id": day + 1, "guild_id": guild_id, "user_id": ids.get(user, user),
                     "choice_index": 0, "confidence": confidence,
                     "first_answered_at": answered_at(day), "answered_at": answered_at(day),
                     "revision": 1, "credit": credit, "graded_revision": 1}
                )  # fmt: skip
        await connection.execute(insert(scores), score_rows)
        await connection.execute(insert(answers), answer_rows)
        for started, score, topics in ((3, 55.0, ["cnns"]), (8, 70.0, ["cnns", "linear-models"])):
            await connection.execute(
                insert(interviews).values(
                    guild_id=guild_id, user_id=ids.get(ALICE, ALICE), round="deep-learning",
                    minutes=30,
                    status="finished", started_at=answered_at(started), score=score,
                    debrief_json=json.dumps({"recommended_topics": topics}),
                )
            )  # fmt: skip


async def seed_crowd(engine, guild_id=GUILD, count=22) -> None:
    """``count`` more members on day 8, in pairs of equal points from 200 down."""
    async with engine.begin() as connection:
        await connection.execute(
            insert(members),
            [{"guild_id": guild_id, "user_id": 1000 + i, "display_name": f"m{i:02d}",
              "first_seen_at": NOW} for i in range(count)],
        )  # fmt: skip
        await connection.execute(
            insert(scores),
            [{"posting_id": 8, "user_id": 1000 + i, "guild_id": guild_id,
              "local_date": START + timedelta(days=7), "question_id": "dl-002", "topic": "cnns",
              "round": "deep-learning", "credit": 1.0, "points": 200 - 5 * (i // 2),
              "answered_at": answered_at(7)} for i in range(count)],
        )  # fmt: skip


def build_services(engine, bank, clock=None):
    clock = clock or FixedClock()
    repository = SqlProgressRepository(engine)
    guilds = SqlGuildRepository(engine)
    reader = StandingsReader(repository, ttl=0)
    review = ReviewService(bank, SqlReviewCardRepository(engine), clock)
    progress = ProgressService(bank, load_plan(), repository, reader, guilds, review, clock)
    leaderboard = LeaderboardService(reader, repository, guilds, clock)
    return progress, leaderboard, review


async def test_progress_figures_match_the_hand_computed_history(engine, bank):
    await seed_history(engine)
    progress, _, _ = build_services(engine, bank)

    p = await progress.progress(GUILD, ALICE, ALICE)

    assert (p.points, p.rank, p.tied, p.ranked) == (95.0, 1, True, 3)  # tied with bob
    assert (p.streak.current, p.streak.best) == (2, 3)
    assert (p.answered, p.reviews) == (8, 0)
    assert p.overall.accuracy == pytest.approx(5.5 / 8)
    rounds = {r: (t.answered, round(t.accuracy or 0, 4), t.few) for r, t in p.by_round.items()}
    assert rounds == {
        "coding": (3, round(2.5 / 3, 4), False),
        "deep-learning": (2, 0.5, True),
        "ml-fundamentals": (3, round(2 / 3, 4), False),
    }
    assert [t.topic for t in p.weakest] == ["linear-models", "data-structures"]
    assert p.weakest[0].study.startswith("Derive the least-squares")
    assert (p.calibration.sure, p.calibration.sure_right) == (5, 4)
    assert p.calibration.by_topic["linear-models"] == (2, 1)
    assert p.calibration.confidently_wrong == ("linear-models",)
    assert [m.score for m in p.mocks] == [55.0, 70.0]
    assert p.recommended == ("cnns", "linear-models")
    assert p.plan is not None and (p.plan.day, p.plan.week) == (11, 2)
    assert p.points_series[-1].total == 95.0 and len(p.points_series) == 8
    assert p.due_cards >= 1  # every answer became a card; exact dates in test_review


async def test_a_hidden_member_is_private_to_others_but_sees_their_own_rank(engine, bank):
    await seed_history(engine)
    progress, _, _ = build_services(engine, bank)
    mine = await progress.progress(GUILD, CAROL, CAROL)
    assert (mine.hidden, mine.rank, mine.tied, mine.points) == (True, 1, False, 110.0)
    with pytest.raises(Exception, match="private"):
        await progress.progress(GUILD, CAROL, ALICE)


async def test_points_board_ranks_ties_fairly_and_leaves_hidden_members_off(engine, bank):
    await seed_history(engine)
    _, leaderboard, _ = build_services(engine, bank)

    board = await leaderboard.board(GUILD, DAVE, period=Period.ALL)

    assert [(line.name, line.rank, line.tied) for line in board.lines] == [
        ("alice", 1, True),
        ("bob", 1, True),
        ("dave", 3, False),
    ]
    assert board.viewer is not None and board.viewer.rank == 3
    hidden = await leaderboard.board(GUILD, CAROL, period=Period.ALL)
    assert hidden.viewer_hidden and hidden.viewer is not None and hidden.viewer.rank == 1
    assert "carol" not in [line.name for line in hidden.lines]


async def test_accuracy_board_shrinks_towards_the_group_mean(engine, bank):
    await seed_history(engine)
    _, leaderboard, _ = build_services(engine, bank)

    board = await leaderboard.board(GUILD, ALICE, period=Period.ALL, kind="accuracy")

    mean = 18 / 21  # every member's credit over every answer, hidden ones included
    expected = {
        "bob": (5.5 + 10 * mean) / 16,
        "dave": (1 + 10 * mean) / 11,  # 1 of 1 does not beat 5.5 of 6
        "alice": (5.5 + 10 * mean) / 18,
    }
    assert [line.name for line in board.lines] == ["bob", "dave", "alice"]
    for line in board.lines:
        assert line.score == pytest.approx(expected[line.name])
    assert board.group_accuracy == pytest.approx(mean)


async def test_week_and_round_filters(engine, bank):
    await seed_history(engine)
    _, leaderboard, _ = build_services(engine, bank)
    week = await leaderboard.board(GUILD, BOB, period=Period.WEEK)
    assert [(line.name, line.points) for line in week.lines] == [("alice", 10.0)]
    assert week.viewer is None  # bob did not answer this week
    from bot.domain.questions import Round

    dl = await leaderboard.board(GUILD, BOB, period=Period.SEASON, round_=Round.DEEP_LEARNING)
    assert [(line.name, line.points) for line in dl.lines] == [("alice", 30.0), ("bob", 15.0)]


async def test_pages_of_ten_with_the_viewer_always_shown(engine, bank):
    await seed_history(engine)
    await seed_crowd(engine)
    _, leaderboard, _ = build_services(engine, bank)

    first = await leaderboard.board(GUILD, DAVE, period=Period.ALL)
    last = await leaderboard.board(GUILD, DAVE, period=Period.ALL, page=2)

    assert (first.pages, len(first.lines), first.ranked) == (3, 10, 25)
    assert [line.rank for line in first.lines] == [1, 1, 3, 3, 5, 5, 7, 7, 9, 9]
    assert [(line.name, line.rank) for line in last.lines] == [
        ("m20", 21), ("m21", 21), ("alice", 23), ("bob", 23), ("dave", 25),
    ]  # fmt: skip
    assert last.viewer is not None and last.viewer.name == "dave" and last.viewer.rank == 25
    assert first.viewer == last.viewer
    beyond = await leaderboard.board(GUILD, DAVE, period=Period.ALL, page=99)
    assert beyond.page == 2


async def test_privacy_hides_and_shows_a_member(engine, bank):
    await seed_history(engine)
    _, leaderboard, _ = build_services(engine, bank)
    await leaderboard.set_privacy(GUILD, ALICE, "alice", True)
    board = await leaderboard.board(GUILD, BOB, period=Period.ALL)
    assert [line.name for line in board.lines] == ["bob", "dave"]
    await leaderboard.set_privacy(GUILD, ALICE, "alice", False)
    board = await leaderboard.board(GUILD, BOB, period=Period.ALL)
    assert [line.name for line in board.lines] == ["alice", "bob", "dave"]


async def test_weekly_recap_names_top_members_and_the_most_missed_topic(engine, bank):
    await seed_history(engine)
    repository = SqlProgressRepository(engine)
    recap = await WeeklyRecapService(bank, repository, SqlGuildRepository(engine)).build(
        GUILD, START
    )
    # The week 03-02..03-08: alice 85, bob 95, carol 110 (hidden), dave 20.
    assert [(m.rank, m.name, m.points) for m in recap.top] == [
        (1, "bob", 95.0),
        (2, "alice", 85.0),
        (3, "dave", 20.0),
    ]
    assert recap.enabled and recap.participants == 4 and recap.answers == 19
    assert recap.most_missed == "Convolutional networks"  # cnns: 2.5 of 3
    assert recap.most_missed_accuracy == pytest.approx(2.5 / 3)
    assert recap.trend[-1].answered == 19 and len(recap.trend) == 8


async def test_group_participation_per_day(engine, bank):
    await seed_history(engine)
    _, leaderboard, _ = build_services(engine, bank)
    days = {d.local_date: (d.participants, round(d.mean_credit, 3)) for d in
            await leaderboard.participation(GUILD, days=14)}  # fmt: skip
    assert days[START] == (4, 1.0)
    assert days[START + timedelta(days=6)] == (3, round(2.5 / 3, 3))
    assert START + timedelta(days=3) not in days
