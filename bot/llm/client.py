"""Building the Anthropic client and bounding each call in wall-clock time.

Every SDK failure leaves this module as :class:`InterviewerUnavailableError`, the
one error the services know how to handle (they fall back to offline grading),
with a safe message and never the SDK's text.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Awaitable
from typing import TypeVar
from urllib.parse import urlsplit

import anthropic

from bot.domain.errors import InterviewerUnavailableError

log = logging.getLogger(__name__)

T = TypeVar("T")


def build_client(
    api_key: str, base_url: str | None, *, max_retries: int = 2, timeout: float = 60
) -> anthropic.AsyncAnthropic:
    """An ``AsyncAnthropic`` with explicit key, URL, retries and per-request timeout (s).

    Proxy settings from the environment (``HTTPS_PROXY`` and friends) are honoured,
    because a production host may only reach the internet through one. They are
    ignored when ``base_url`` is a loopback address: a proxy can never be the right
    way to reach 127.0.0.1, and an inherited ``HTTP_PROXY`` would otherwise capture
    traffic meant for a local gateway or the test fake.
    """
    return anthropic.AsyncAnthropic(
        api_key=api_key,
        base_url=base_url,
        max_retries=max_retries,
        timeout=timeout,
        http_client=anthropic.DefaultAsyncHttpxClient(trust_env=not is_loopback(base_url)),
    )


def is_loopback(base_url: str | None) -> bool:
    """Whether ``base_url`` names this machine (``localhost`` or a loopback IP)."""
    if base_url is None:
        return False
    host = urlsplit(base_url).hostname
    if host is None:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def call_with_deadline(coro: Awaitable[T], seconds: float) -> T:
    """Await ``coro`` for at most ``seconds``, retries and their sleeps included.

    The SDK obeys any ``retry-after`` the server sends, however long (an hour is
    possible), and its own timeout applies per attempt; this deadline is the
    bound on the whole call. Raises InterviewerUnavailableError on the deadline
    and on any SDK error; cancellation from outside still propagates.
    """
    try:
        async with asyncio.timeout(seconds):
            return await coro
    except TimeoutError as exc:
        log.warning("Claude call exceeded its %.1f s deadline", seconds)
        raise InterviewerUnavailableError() from exc
    except anthropic.AnthropicError as exc:
        # The details go to the log only; members see the error's safe message.
        status = getattr(exc, "status_code", None)
        log.warning("Claude call failed: %s (status %s)", type(exc).__name__, status)
        raise InterviewerUnavailableError() from exc
