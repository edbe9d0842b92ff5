"""Runtime settings from the environment and ``.env``; built once, in ``__main__``.

Secrets are ``SecretStr`` so they never show in a repr, a log line or a
validation error. A bad value fails at start with one line naming the setting
(:func:`load_settings` turns pydantic's report into :class:`SettingsError`).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DISCORD_API_URL = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/studybot.sqlite3"
DEFAULT_MODEL = "claude-sonnet-5-5"  # the SDK marks 4-5 deprecated (end of life 2026-11-30)


class SettingsError(Exception):
    """Settings are missing or invalid; the message names the setting, never its value."""


class Settings(BaseSettings):
    """Everything a deploy can change. Never construct at import time."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    discord_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_TOKEN", "discord_token")
    )
    anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_API_KEY", "anthropic_api_key")
    )
    anthropic_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_BASE_URL", "anthropic_base_url")
    )
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("STUDYBOT_DATABASE_URL", "database_url"),
    )
    discord_api_url: str = Field(
        default=DISCORD_API_URL,
        validation_alias=AliasChoices("STUDYBOT_DISCORD_API_URL", "discord_api_url"),
    )
    discord_gateway_url: str = Field(
        default=DISCORD_GATEWAY_URL,
        validation_alias=AliasChoices("STUDYBOT_DISCORD_GATEWAY_URL", "discord_gateway_url"),
    )
    model: Annotated[str, Field(min_length=1)] = Field(
        default=DEFAULT_MODEL, validation_alias=AliasChoices("STUDYBOT_MODEL", "model")
    )
    log_level: str = Field(
        default="INFO", validation_alias=AliasChoices("STUDYBOT_LOG_LEVEL", "log_level")
    )
    dev_guild_id: int | None = Field(
        default=None,
        validation_alias=AliasChoices("STUDYBOT_DEV_GUILD_ID", "dev_guild_id"),
        description="Sync commands to this guild only (instant) instead of globally.",
    )
    content_dir: Path | None = Field(
        default=None, validation_alias=AliasChoices("STUDYBOT_CONTENT_DIR", "content_dir")
    )

    @field_validator("discord_api_url", "anthropic_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s):// URL")
        return value.rstrip("/") if value else value

    @field_validator("discord_gateway_url")
    @classmethod
    def _ws_url(cls, value: str) -> str:
        if not re.match(r"^wss?://[^\s/]+", value):
            raise ValueError("must be a ws:// or wss:// URL")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not re.match(r"^(sqlite\+aiosqlite|postgresql\+asyncpg)://", value):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in logging.getLevelNamesMapping():
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return upper


_ENV_NAMES = {
    "discord_token": "DISCORD_TOKEN",
    "anthropic_api_key": "ANTHROPIC_API_KEY",
    "anthropic_base_url": "ANTHROPIC_BASE_URL",
    "database_url": "STUDYBOT_DATABASE_URL",
    "discord_api_url": "STUDYBOT_DISCORD_API_URL",
    "discord_gateway_url": "STUDYBOT_DISCORD_GATEWAY_URL",
    "model": "STUDYBOT_MODEL",
    "log_level": "STUDYBOT_LOG_LEVEL",
    "dev_guild_id": "STUDYBOT_DEV_GUILD_ID",
    "content_dir": "STUDYBOT_CONTENT_DIR",
}


def load_settings(**overrides: Any) -> Settings:
    """Settings from env and ``.env``; raises SettingsError naming the bad setting.

    The message never includes the rejected value, which may be a secret.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        name = _ENV_NAMES.get(field, field.upper())
        raise SettingsError(f"{name}: {first['msg']}") from None
