"""Server setup: turn what an admin typed into a validated configuration.

Everything is checked before anything is saved, so a bad time, an unknown zone
or a reveal before the post leaves the server's settings exactly as they were.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from bot.domain.errors import InvalidInputError
from bot.domain.models import GuildConfig
from bot.domain.ports import Clock, GuildRepository
from bot.domain.questions import Round, Track
from bot.domain.schedule import (
    Schedule,
    parse_post_time,
    parse_reveal,
    parse_timezone,
    parse_weekdays,
)

E = TypeVar("E", Round, Track)


@dataclass(frozen=True)
class SetupRequest:
    guild_id: int
    guild_name: str
    channel_id: int
    post_time: str
    timezone: str
    days: str = "daily"
    reveal: str = "12h"
    rounds: str = "all"
    tracks: str = "all"
    cohort_start: str | None = None
    mention_role_id: int | None = None
    discussion_threads: bool = True


def parse_choices(text: str, kind: type[E]) -> tuple[E, ...]:
    cleaned = text.strip().lower()
    if cleaned in {"", "all"}:
        return tuple(kind)
    chosen = []
    for part in cleaned.replace(" ", ",").split(","):
        if not part:
            continue
        try:
            chosen.append(kind(part))
        except ValueError:
            valid = ", ".join(item.value for item in kind)
            raise InvalidInputError(f"`{part[:24]}` is not one of: {valid}.") from None
    return tuple(dict.fromkeys(chosen))


def parse_cohort_start(text: str | None, today: date) -> date:
    if not text:
        return today
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"`{text[:20]}` is not a date. Use YYYY-MM-DD, like {today.isoformat()}."
        ) from None


class SetupService:
    def __init__(self, guilds: GuildRepository, clock: Clock) -> None:
        self._guilds = guilds
        self._clock = clock

    async def configure(self, request: SetupRequest) -> GuildConfig:
        """Validate everything, then save; raises InvalidInputError and saves nothing."""
        post_time = parse_post_time(request.post_time)
        zone = parse_timezone(request.timezone)
        weekdays = parse_weekdays(request.days)
        window = parse_reveal(request.reveal, post_time)
        Schedule(post_time, zone, weekdays, window)  # validates the combination
        rounds = parse_choices(request.rounds, Round)
        tracks = parse_choices(request.tracks, Track)
        today = self._clock.now().astimezone(zone).date()
        existing = await self._guilds.get(request.guild_id)
        config = GuildConfig(
            id=request.guild_id,
            name=request.guild_name[:100],
            channel_id=request.channel_id,
            post_time=f"{post_time:%H:%M}",
            timezone=zone.key,
            weekdays=weekdays,
            answer_window_minutes=int(window.total_seconds() // 60),
            rounds=rounds,
            tracks=tracks,
            cohort_start=parse_cohort_start(request.cohort_start, today),
            mention_role_id=request.mention_role_id,
            paused=existing.paused if existing else False,
            seed=existing.seed if existing else secrets.token_hex(8),
            discussion_threads=request.discussion_threads,
        )
        await self._guilds.save(config, self._clock.now())
        return config

    async def get(self, guild_id: int) -> GuildConfig:
        config = await self._guilds.get(guild_id)
        if config is None or not config.is_set_up:
            raise InvalidInputError("This server is not set up yet: run `/studybot setup`.")
        return config

    async def set_paused(self, guild_id: int, paused: bool) -> GuildConfig:
        config = await self.get(guild_id)
        await self._guilds.set_paused(guild_id, paused, self._clock.now())
        return replace(config, paused=paused)
