"""How many tokens a server's LLM calls used, per purpose (for admins)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PurposeUsage:
    """Tokens one purpose (``"interview"``, ``"debrief"``...) used, in how many calls."""

    purpose: str
    calls: int
    input_tokens: int
    output_tokens: int
    cache_creation_tokens: int
    cache_read_tokens: int

    @property
    def total(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_creation_tokens
            + self.cache_read_tokens
        )


@dataclass(frozen=True)
class UsageSummary:
    guild_id: int
    since: datetime
    by_purpose: tuple[PurposeUsage, ...]

    @property
    def total(self) -> int:
        return sum(item.total for item in self.by_purpose)
