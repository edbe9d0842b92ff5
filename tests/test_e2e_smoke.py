"""End to end: the production bot against the loopback Discord server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import discord
from discord import app_commands

from bot import __version__
from bot.llm.usage import LlmUsage
from bot.services.clock import SystemClock
from bot.store.usage import SqlUsageRepository
from tests.harness import running_app, settings_for

EPHEMERAL = 64
README = Path(__file__).resolve().parents[1] / "README.md"


async def test_member_runs_about_and_gets_a_private_reply_with_the_version(
    discord_routes, tmp_path
):
    fake = discord_routes
    async with running_app(settings_for(fake, tmp_path / "db.sqlite3"), fake):
        synced = await fake.wait_request(
            "PUT", rf"/applications/\d+/guilds/{fake.guild.id}/commands"
        )
        assert any(command["name"] == "studybot" for command in synced.json)

        interaction = await fake.run_slash(fake.alice, "studybot", subcommand="about")
        response = await interaction.wait_response()

        assert response["type"] == 4
        assert response["data"]["flags"] & EPHEMERAL
        assert response["data"]["allowed_mentions"] == {"parse": []}
        embed = response["data"]["embeds"][0]
        assert any(field["value"] == __version__ for field in embed["fields"])


async def test_a_handler_answering_after_four_seconds_gets_unknown_interaction(
    discord_routes, tmp_path
):
    fake = discord_routes
    settings = settings_for(fake, tmp_path / "db.sqlite3")
    outcome: list[BaseException] = []

    async with running_app(settings, fake) as app:

        @app_commands.command(name="slow", description="Answers too late")
        async def slow(interaction: discord.Interaction) -> None:
            await asyncio.sleep(4)
            try:
                await interaction.response.send_message("late")
            except discord.NotFound as exc:
                outcome.append(exc)

        app.bot.tree.add_command(slow, guild=discord.Object(fake.guild.id))
        await app.bot.tree.sync(guild=discord.Object(fake.guild.id))

        await fake.run_slash(fake.alice, "slow")
        callback = await fake.wait_request("POST", r"/interactions/\d+/.+/callback", timeout=8)

    assert callback.status == 404 and callback.response["code"] == 10062
    assert outcome and outcome[0].code == 10062  # type: ignore[attr-defined]


async def test_a_dropped_gateway_connection_resumes_the_session(discord_routes, tmp_path):
    fake = discord_routes
    async with running_app(settings_for(fake, tmp_path / "db.sqlite3"), fake):
        await fake.drop_connection()
        await fake.wait_until(lambda: fake.resume_count == 1 or None, 10, lambda: "no RESUME")

        # The resumed session still serves members, without a second IDENTIFY.
        interaction = await fake.run_slash(fake.alice, "studybot", subcommand="about")
        await interaction.wait_response()
        assert fake.identify_count == 1


async def test_every_synced_command_and_terminal_command_is_documented(discord_routes, tmp_path):
    """What Discord receives at sync is the source of truth for the README's table."""
    readme = README.read_text()
    fake = discord_routes
    async with running_app(settings_for(fake, tmp_path / "db.sqlite3"), fake):
        synced = await fake.wait_request("PUT", r"/applications/\d+/guilds/\d+/commands")
    names = []
    for command in synced.json:
        subcommands = [o["name"] for o in command.get("options", []) if o["type"] == 1]
        names += [f"/{command['name']} {sub}" for sub in subcommands] or [f"/{command['name']}"]
    missing = [name for name in names if f"`{name}" not in readme]
    assert missing == []
    terminal = ["run", "db upgrade", "health", "invite-url", "bank validate", "bank stats",
                "practice", "mock", "progress", "grader eval"]  # fmt: skip
    assert [c for c in terminal if f"`studybot {c}" not in readme] == []


async def test_admins_see_llm_usage_by_purpose(discord_routes, tmp_path):
    fake = discord_routes
    async with running_app(settings_for(fake, tmp_path / "db.sqlite3"), fake) as app:
        usage = SqlUsageRepository(app.engine, SystemClock())
        await usage.record(
            LlmUsage("interview", "claude-test", 1200, 300, 0, 800), fake.guild.id, 1
        )
        await usage.record(LlmUsage("grade", "claude-test", 500, 80, 0, 0), fake.guild.id, None)

        denied = await fake.run_slash(fake.alice, "studybot", subcommand="usage")
        assert "embeds" not in (await denied.wait_response())["data"]
        shown = await fake.run_slash(fake.admin, "studybot", subcommand="usage")
        response = await shown.wait_response()
        assert response["data"]["flags"] & EPHEMERAL
        text = str(response["data"]["embeds"][0])
        assert "2,880 tokens" in text and "interview" in text and "grade" in text
