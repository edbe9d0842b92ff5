"""Logging set-up that can never print a secret.

Every handler gets a filter that replaces the values of the configured secrets
with ``[redacted]``: libraries sometimes log request details, and a token in a
log file is a leaked token.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.settings import Settings


class RedactSecrets(logging.Filter):
    """Replaces each secret's value in the final log text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "[redacted]")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def secret_values(settings: Settings) -> list[str]:
    return [
        secret.get_secret_value()
        for secret in (settings.discord_token, settings.anthropic_api_key)
        if secret is not None
    ]


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secret_values(settings)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    logging.getLogger("discord.gateway").setLevel(max(logging.INFO, root.level))
