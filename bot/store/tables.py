"""The database schema as SQLAlchemy Core tables: the single source of column names.

Migrations under ``migrations/versions`` create exactly these tables (a test
compares them). Constraints carry the invariants: one posting per server per
local day, one answer per member per posting, one turn per sequence number.
Discord ids are 64-bit, hence BigInteger throughout.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from bot.store.types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

guilds = Table(
    "guilds",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(100), nullable=False, default=""),
    Column("channel_id", BigInteger, nullable=True),
    Column("post_time", String(5), nullable=False, default="09:00"),
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("weekdays", String(7), nullable=False, default="0123456"),
    Column("answer_window_minutes", Integer, nullable=False, default=720),
    Column("rounds", String(200), nullable=False, default=""),
    Column("tracks", String(100), nullable=False, default=""),
    Column("cohort_start", Date, nullable=True),
    Column("mention_role_id", BigInteger, nullable=True),
    Column("paused", Boolean, nullable=False, default=False),
    Column("seed", String(32), nullable=False),
    Column("discussion_threads", Boolean, nullable=False, default=True),
    Column("weekly_recap", Boolean, nullable=False, default=True),
    Column("private_mock_threads", Boolean, nullable=False, default=True),
    Column("daily_token_budget", Integer, nullable=False, default=200_000),
    Column("mock_limit_per_member", Integer, nullable=False, default=3),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

members = Table(
    "members",
    metadata,
    Column("guild_id", BigInteger, ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("display_name", String(100), nullable=False, default=""),
    Column("hidden", Boolean, nullable=False, default=False),
    Column("first_seen_at", UtcDateTime, nullable=False),
)

postings = Table(
    "postings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, ForeignKey("guilds.id", ondelete="CASCADE"), nullable=False),
    Column("local_date", Date, nullable=False),
    Column("cohort_day", Integer, nullable=False),
    Column("question_id", String(16), nullable=False),
    Column("channel_id", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=True),
    Column("status", String(16), nullable=False, default="claimed"),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("posted_at", UtcDateTime, nullable=True),
    Column("closes_at", UtcDateTime, nullable=False),
    Column("revealed_at", UtcDateTime, nullable=True),
    Column("reveal_message_id", BigInteger, nullable=True),
    Column("thread_id", BigInteger, nullable=True),
    Column("flagged", Boolean, nullable=False, default=False),
    UniqueConstraint("guild_id", "local_date"),
    Index(None, "status", "closes_at"),
)

answers = Table(
    "answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("posting_id", Integer, ForeignKey("postings.id", ondelete="CASCADE"), nullable=False),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("choice_index", Integer, nullable=True),
    Column("text", Text, nullable=True),
    Column("confidence", String(8), nullable=True),
    Column("first_answered_at", UtcDateTime, nullable=False),
    Column("answered_at", UtcDateTime, nullable=False),
    Column("revision", Integer, nullable=False, default=1),
    Column("credit", Float, nullable=True),
    Column("grade_json", Text, nullable=True),
    Column("grader", String(16), nullable=True),
    Column("graded_revision", Integer, nullable=True),
    Column("override_credit", Float, nullable=True),
    UniqueConstraint("posting_id", "user_id"),
    Index(None, "guild_id", "user_id"),
)

scores = Table(
    "scores",
    metadata,
    Column("posting_id", Integer, ForeignKey("postings.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("guild_id", BigInteger, nullable=False),
    Column("local_date", Date, nullable=False),
    Column("question_id", String(16), nullable=False),
    Column("topic", String(64), nullable=False),
    Column("round", String(32), nullable=False),
    Column("credit", Float, nullable=False),
    Column("points", Float, nullable=False),
    Column("streak", Integer, nullable=False, default=0),
    Column("answered_at", UtcDateTime, nullable=False),
    Index(None, "guild_id", "local_date"),
    Index(None, "guild_id", "user_id", "local_date"),
    # Covers the all-time leaderboard: totals per member per round without the table.
    Index(None, "guild_id", "user_id", "round", "points", "credit"),
)

reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("posting_id", Integer, ForeignKey("postings.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("reason", String(500), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("resolved", Boolean, nullable=False, default=False),
    UniqueConstraint("posting_id", "user_id"),
)

interviews = Table(
    "interviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("thread_id", BigInteger, nullable=True, unique=True),
    Column("round", String(32), nullable=False),
    Column("track", String(16), nullable=True),
    Column("mode", String(16), nullable=False, default="real"),
    Column("minutes", Integer, nullable=False),
    Column("status", String(16), nullable=False, default="active"),
    Column("offline", Boolean, nullable=False, default=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("paused_seconds", Float, nullable=False, default=0.0),
    Column("hints_used", Integer, nullable=False, default=0),
    Column("score", Float, nullable=True),
    Column("debrief_json", Text, nullable=True),
    Index(None, "guild_id", "user_id", "status"),
)

interview_turns = Table(
    "interview_turns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "interview_id", Integer, ForeignKey("interviews.id", ondelete="CASCADE"), nullable=False
    ),
    Column("seq", Integer, nullable=False),
    Column("role", String(16), nullable=False),
    Column("content", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("message_id", BigInteger, nullable=True),
    Column("meta_json", Text, nullable=True),
    UniqueConstraint("interview_id", "seq"),
)

llm_usage = Table(
    "llm_usage",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=True),
    Column("user_id", BigInteger, nullable=True),
    Column("purpose", String(16), nullable=False),
    Column("model", String(64), nullable=False),
    Column("input_tokens", Integer, nullable=False, default=0),
    Column("output_tokens", Integer, nullable=False, default=0),
    Column("cache_creation_tokens", Integer, nullable=False, default=0),
    Column("cache_read_tokens", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "guild_id", "created_at"),
)

review_cards = Table(
    "review_cards",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("question_id", String(16), primary_key=True),
    Column("card_json", Text, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("source", String(16), nullable=False, default="answer"),
    Index(None, "guild_id", "user_id", "due_at"),
)
