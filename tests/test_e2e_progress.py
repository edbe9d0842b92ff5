"""End to end: /progress and /leaderboard through the loopback Discord, on real SQLite."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import time_machine

from bot.discord_ui.cogs.progress import progress_cogs
from tests.harness import replace_cogs, running_app, settings_for
from tests.test_progress_store import (
    ALICE,
    FixedClock,
    build_services,
    seed_crowd,
    seed_history,
)

EPHEMERAL = 64
PNG = b"\x89PNG\r\n\x1a\n"


async def start_with_progress(app, fake):
    """Seed the history for the fake guild, add the feature's cogs, and re-sync."""
    await seed_history(app.engine, ids={ALICE: fake.alice.id}, guild_id=fake.guild.id)
    await seed_crowd(app.engine, guild_id=fake.guild.id)
    progress, leaderboard, review = build_services(app.engine, app.services.bank, FixedClock())
    # The production cogs, rebuilt on the fixed clock the seeded history needs.
    await replace_cogs(
        app,
        fake.guild.id,
        ["ProgressCog", "LeaderboardCog", "ReviewCog"],
        progress_cogs(app.bot, progress, leaderboard, review),
    )


async def test_progress_is_private_with_a_chart_and_no_pings(discord_routes, tmp_path):
    fake = discord_routes
    async with running_app(settings_for(fake, tmp_path / "db.sqlite3"), fake) as app:
        await start_with_progress(app, fake)

        interaction = await fake.run_slash(fake.alice, "progress")
        deferred = await interaction.wait_response()
        followup = await interaction.wait_followup()

        assert deferred["type"] == 5 and deferred["data"]["flags"] & EPHEMERAL
        assert followup["allowed_mentions"] == {"parse": []}
        assert followup["flags"] & EPHEMERAL
        embed = followup["embeds"][0]
        assert embed["image"]["url"] == "attachment://progress.png"
        assert "95" in embed["description"]
        sent = await fake.wait_request("POST", r"/webhooks/\d+/[^/]+$")
        assert [f.filename for f in sent.files] == ["progress.png"]
        assert sent.files[0].content.startswith(PNG)
        message = interaction.message
        assert message is not None and message["attachments"][0]["filename"] == "progress.png"
        share = message["components"][0]["components"][0]["custom_id"]
        assert share.startswith("sb:1:") and len(share) <= 100

        shared = await fake.click(fake.alice, int(message["id"]), share)
        public = await shared.wait_response()
        public_followup = await shared.wait_followup()
        assert public["type"] == 5 and not (public.get("data") or {}).get("flags", 0) & EPHEMERAL
        assert public_followup["allowed_mentions"] == {"parse": []}
        assert not public_followup.get("flags", 0) & EPHEMERAL


async def test_leaderboard_pages_with_buttons(discord_routes, tmp_path):
    fake = discord_routes
    async with running_app(settings_for(fake, tmp_path / "db.sqlite3"), fake) as app:
        await start_with_progress(app, fake)

        interaction = await fake.run_slash(fake.alice, "leaderboard", {"period": "all"})
        first = await interaction.wait_response()

        assert first["type"] == 4 and first["data"]["flags"] & EPHEMERAL
        assert first["data"]["allowed_mentions"] == {"parse": []}
        embed = first["data"]["embeds"][0]
        assert embed["footer"]["text"].startswith("Page 1 of 3")
        assert embed["description"].count("\n") == 9  # ten lines
        you = next(f for f in embed["fields"] if f["name"] == "You")
        assert you["value"].startswith("#23 (tied)")  # alice ties bob at 95
        buttons = [c for row in first["data"]["components"] for c in row["components"]]
        assert all(b["custom_id"].startswith("sb:1:") and len(b["custom_id"]) <= 100
                   for b in buttons)  # fmt: skip
        previous, following = buttons
        assert previous["disabled"] and not following.get("disabled")

        message = interaction.message
        assert message is not None
        clicked = await fake.click(fake.alice, int(message["id"]), following["custom_id"])
        second = await clicked.wait_response()

        assert second["type"] == 7
        assert second["data"]["embeds"][0]["footer"]["text"].startswith("Page 2 of 3")
        assert second["data"]["allowed_mentions"] == {"parse": []}


async def test_the_weekly_recap_posts_last_weeks_top_members_and_a_chart(discord_routes, tmp_path):
    fake = discord_routes
    monday = datetime(2026, 3, 9, 9, 0, 5, tzinfo=UTC)  # the recap covers 2 to 8 March
    with time_machine.travel(monday, tick=True):
        async with running_app(settings_for(fake, tmp_path / "db.sqlite3"), fake) as app:
            await seed_history(app.engine, ids={ALICE: fake.alice.id}, guild_id=fake.guild.id)
            guilds = app.services.repositories.guilds
            config = await guilds.get(fake.guild.id)
            assert config is not None
            await guilds.save(replace(config, channel_id=fake.study_channel_id), monday)

            await app.jobs.post_recap(fake.guild.id)

    posted = await fake.wait_request("POST", rf"/channels/{fake.study_channel_id}/messages$")
    assert posted.json["allowed_mentions"] == {"parse": []}
    assert posted.json["embeds"][0]["image"]["url"] == "attachment://recap.png"
    assert posted.files and posted.files[0].content.startswith(PNG)
    assert "alice" in str(posted.json["embeds"][0]).lower()


async def test_review_serves_a_due_card_privately_and_grades_the_click(discord_routes, tmp_path):
    fake = discord_routes
    async with running_app(settings_for(fake, tmp_path / "db.sqlite3"), fake) as app:
        await seed_history(app.engine, ids={ALICE: fake.alice.id}, guild_id=fake.guild.id)
        later = FixedClock(datetime(2026, 4, 20, 12, tzinfo=UTC))  # every card is due by now
        progress, leaderboard, review = build_services(app.engine, app.services.bank, later)
        await replace_cogs(
            app,
            fake.guild.id,
            ["ProgressCog", "LeaderboardCog", "ReviewCog"],
            progress_cogs(app.bot, progress, leaderboard, review),
        )
        started = await fake.run_slash(fake.alice, "review")
        deferred = await started.wait_response()
        card = await started.wait_followup()
        assert deferred["type"] == 5 and deferred["data"]["flags"] & EPHEMERAL
        assert card["allowed_mentions"] == {"parse": []}
        buttons = [c["custom_id"] for row in card["components"] for c in row["components"]]
        assert buttons and all(b.startswith("sb:1:") and len(b) <= 100 for b in buttons)
        assert len(buttons) > 1  # the most overdue card of this history is a choice question
        message = started.message
        assert message is not None
        clicked = await fake.click(fake.alice, int(message["id"]), buttons[0])
        result = await clicked.wait_response()
        assert result["type"] == 7  # the private card is updated with the result
        assert result["data"]["embeds"] and result["data"]["allowed_mentions"] == {"parse": []}
