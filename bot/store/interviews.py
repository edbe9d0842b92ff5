"""Mock interviews and their turns, over the ``interviews`` and ``interview_turns`` tables.

Turns are append-only and numbered per interview; the unique (interview, seq)
constraint turns a lost race between two writers into an error, never a
reordered transcript. A turn's kind and hint tier live in ``meta_json``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, literal, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain.interview import (
    HintTier,
    InterviewSession,
    MockSetup,
    Mode,
    NewTurn,
    Role,
    SessionStatus,
    Turn,
    TurnKind,
)
from bot.domain.questions import Round, Track
from bot.store.tables import interview_turns, interviews


def _to_turn(row: RowMapping) -> Turn:
    meta = json.loads(row["meta_json"]) if row["meta_json"] else {}
    tier = meta.get("hint_tier")
    return Turn(
        seq=row["seq"],
        role=Role(row["role"]),
        content=row["content"],
        at=row["created_at"],
        kind=TurnKind(meta.get("kind", TurnKind.MESSAGE.value)),
        hint_tier=HintTier(tier) if tier else None,
    )


def _to_session(row: RowMapping, turns: Sequence[Turn]) -> InterviewSession:
    return InterviewSession(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        round=Round(row["round"]),
        track=Track(row["track"]) if row["track"] else None,
        mode=Mode(row["mode"]),
        minutes=row["minutes"],
        started_at=row["started_at"],
        status=SessionStatus(row["status"]),
        paused_seconds=row["paused_seconds"],
        hints_used=row["hints_used"],
        offline=row["offline"],
        ended_at=row["ended_at"],
        score=row["score"],
        debrief_json=row["debrief_json"],
        turns=tuple(turns),
    )


class SqlInterviewRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(
        self, setup: MockSetup, guild_id: int, user_id: int, started_at: datetime
    ) -> InterviewSession | None:
        """INSERT ... SELECT ... WHERE NOT EXISTS: the one-active-mock rule in one statement."""
        already = exists().where(
            interviews.c.guild_id == guild_id,
            interviews.c.user_id == user_id,
            interviews.c.status == SessionStatus.ACTIVE.value,
        )
        values: dict[str, Any] = {
            "guild_id": guild_id,
            "user_id": user_id,
            "round": setup.round.value,
            "track": setup.track.value if setup.track else None,
            "mode": setup.mode.value,
            "minutes": setup.minutes,
            "status": SessionStatus.ACTIVE.value,
            "offline": False,
            "started_at": started_at,
            "paused_seconds": 0.0,
            "hints_used": 0,
        }
        columns = [literal(value, interviews.c[name].type) for name, value in values.items()]
        statement = interviews.insert().from_select(list(values), select(*columns).where(~already))
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
            if result.rowcount != 1:
                return None
        return await self.active_for(guild_id, user_id)

    async def _sessions(self, connection: AsyncConnection, query: Any) -> list[InterviewSession]:
        rows = (await connection.execute(query)).mappings().all()
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        turn_rows = (
            await connection.execute(
                select(interview_turns)
                .where(interview_turns.c.interview_id.in_(ids))
                .order_by(interview_turns.c.interview_id, interview_turns.c.seq)
            )
        ).mappings()
        by_session: dict[int, list[Turn]] = {session_id: [] for session_id in ids}
        for turn_row in turn_rows:
            by_session[turn_row["interview_id"]].append(_to_turn(turn_row))
        return [_to_session(row, by_session[row["id"]]) for row in rows]

    async def _many(self, query: Any) -> list[InterviewSession]:
        async with self._engine.connect() as connection:
            return await self._sessions(connection, query)

    async def get(self, session_id: int) -> InterviewSession | None:
        found = await self._many(select(interviews).where(interviews.c.id == session_id))
        return found[0] if found else None

    async def active_for(self, guild_id: int, user_id: int) -> InterviewSession | None:
        found = await self._many(
            select(interviews).where(
                interviews.c.guild_id == guild_id,
                interviews.c.user_id == user_id,
                interviews.c.status == SessionStatus.ACTIVE.value,
            )
        )
        return found[0] if found else None

    async def list_active(self) -> list[InterviewSession]:
        return await self._many(
            select(interviews)
            .where(interviews.c.status == SessionStatus.ACTIVE.value)
            .order_by(interviews.c.id)
        )

    async def append_turn(self, session_id: int, turn: NewTurn) -> Turn:
        meta: dict[str, Any] = {"kind": turn.kind.value}
        if turn.hint_tier is not None:
            meta["hint_tier"] = int(turn.hint_tier)
        async with self._engine.begin() as connection:
            last = await connection.execute(
                select(func.coalesce(func.max(interview_turns.c.seq), 0)).where(
                    interview_turns.c.interview_id == session_id
                )
            )
            seq = int(last.scalar_one()) + 1
            await connection.execute(
                interview_turns.insert().values(
                    interview_id=session_id,
                    seq=seq,
                    role=turn.role.value,
                    content=turn.content,
                    created_at=turn.at,
                    meta_json=json.dumps(meta, sort_keys=True),
                )
            )
        return Turn(seq, turn.role, turn.content, turn.at, turn.kind, turn.hint_tier)

    async def _update(self, session_id: int, **values: Any) -> int:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(interviews).where(interviews.c.id == session_id).values(**values)
            )
        return int(result.rowcount)

    async def add_paused(self, session_id: int, seconds: float) -> None:
        await self._update(session_id, paused_seconds=interviews.c.paused_seconds + seconds)

    async def increment_hints(self, session_id: int) -> None:
        await self._update(session_id, hints_used=interviews.c.hints_used + 1)

    async def mark_offline(self, session_id: int) -> None:
        await self._update(session_id, offline=True)

    async def finish(
        self, session_id: int, ended_at: datetime, debrief_json: str, score: float, offline: bool
    ) -> bool:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(interviews)
                .where(
                    interviews.c.id == session_id,
                    interviews.c.status == SessionStatus.ACTIVE.value,
                )
                .values(
                    status=SessionStatus.ENDED.value,
                    ended_at=ended_at,
                    debrief_json=debrief_json,
                    score=score,
                    offline=offline,
                )
            )
        return result.rowcount == 1

    # --- the chat thread each interview runs in ----------------------------------------

    async def set_thread(self, session_id: int, thread_id: int) -> None:
        """Remember the thread; the column is unique, so a thread holds one interview."""
        await self._update(session_id, thread_id=thread_id)

    async def by_thread(self, thread_id: int) -> InterviewSession | None:
        """The interview (active or not) that runs in ``thread_id``, with its turns."""
        found = await self._many(select(interviews).where(interviews.c.thread_id == thread_id))
        return found[0] if found else None

    async def thread_of(self, session_id: int) -> int | None:
        async with self._engine.connect() as connection:
            result = await connection.execute(
                select(interviews.c.thread_id).where(interviews.c.id == session_id)
            )
            value = result.scalar_one_or_none()
        return int(value) if value is not None else None
