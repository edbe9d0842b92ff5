"""Where discord.py connects: Discord itself, a REST proxy, or a loopback test server.

discord.py keeps both addresses as class attributes (``Route.BASE`` for REST,
``DiscordWebSocket.DEFAULT_GATEWAY`` for the first gateway connection), so they
must be set before ``login()``. After READY the gateway's own
``resume_gateway_url`` is used, as with real Discord.
"""

from __future__ import annotations

import discord
import yarl


def point_discord_at(api_url: str, gateway_url: str) -> None:
    """Send REST calls to ``api_url`` (ending in /api/v10) and connect to ``gateway_url``."""
    discord.http.Route.BASE = api_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
