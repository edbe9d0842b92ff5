"""End to end: the production bot against the loopback Discord server."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands

from bot import __version__
from tests.harness import running_app, settings_for

EPHEMERAL = 64


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
