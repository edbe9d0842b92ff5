"""Settings: defaults, one clear line per bad value, and secrets that never leak."""

from __future__ import annotations

import logging

import pytest

from bot.logs import RedactSecrets
from bot.settings import Settings, SettingsError, load_settings

# Shaped like a real bot token (user id . timestamp . HMAC); not a live one.
TOKEN = "MTE4NDk5ODY1NTY3MzcwMzQyNA.GxQbVd.k3yJ9fPq2mZcV8nR4tWsY1uH6oLe0aXi7bNdC5"
API_KEY = "sk-ant-api03-Zt8pQm4vR2xN6yK1wB9cH3jL5fD7gS0aE-uT2iO4pA6sF8hJ0kL2zX4cV6bN8mQ-AAAAAA"


def test_defaults_point_at_discord_and_a_local_sqlite_file(monkeypatch: pytest.MonkeyPatch):
    for name in ("DISCORD_TOKEN", "ANTHROPIC_API_KEY", "STUDYBOT_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert settings.discord_api_url == "https://discord.com/api/v10"
    assert settings.discord_gateway_url.startswith("wss://gateway.discord.gg")
    assert settings.database_url.startswith("sqlite+aiosqlite:///./data/")
    assert settings.anthropic_api_key is None


def test_reads_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("STUDYBOT_MODEL", "claude-test")
    monkeypatch.setenv("STUDYBOT_LOG_LEVEL", "debug")
    settings = Settings(_env_file=None)
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == TOKEN
    assert settings.model == "claude-test"
    assert settings.log_level == "DEBUG"


def test_reads_a_dotenv_file(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    env = tmp_path / ".env"
    env.write_text(f"DISCORD_TOKEN={TOKEN}\nSTUDYBOT_DEV_GUILD_ID=42\n")
    settings = Settings(_env_file=env)
    assert settings.dev_guild_id == 42
    assert settings.discord_token is not None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("STUDYBOT_DATABASE_URL", "mysql://nope"),
        ("STUDYBOT_DISCORD_API_URL", "discord.com/api"),
        ("STUDYBOT_DISCORD_GATEWAY_URL", "http://gateway"),
        ("STUDYBOT_LOG_LEVEL", "LOUD"),
        ("STUDYBOT_DEV_GUILD_ID", "not-a-number"),
    ],
)
def test_a_bad_value_fails_with_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    message = str(caught.value)
    assert message.startswith(variable)
    assert "\n" not in message
    assert value not in message


def test_secrets_never_appear_in_repr_errors_or_logs(monkeypatch: pytest.MonkeyPatch, caplog):
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
    settings = Settings(_env_file=None)
    assert TOKEN not in repr(settings) and API_KEY not in repr(settings)
    assert TOKEN not in str(settings.model_dump())
    # A bad value elsewhere: the error must not echo the environment.
    monkeypatch.setenv("STUDYBOT_LOG_LEVEL", "LOUD")
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert TOKEN not in str(caught.value) and API_KEY not in str(caught.value)
    # A library that logs a secret by mistake is redacted.
    logger = logging.getLogger("test.leaky")
    logger.addFilter(RedactSecrets([TOKEN, API_KEY]))
    with caplog.at_level(logging.INFO, logger="test.leaky"):
        logger.info("Authorization: Bot %s and key %s", TOKEN, API_KEY)
    assert TOKEN not in caplog.text and API_KEY not in caplog.text
    assert "[redacted]" in caplog.text
