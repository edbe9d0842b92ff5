"""09:00 load: many members click a daily question's buttons within about a second.

Measures the time from each click reaching the bot's gateway to the fake Discord
receiving the bot's "recorded" acknowledgement, for the production bot (answers
group-committed to SQLite before the acknowledgement) and for a bare discord.py
bot whose button only acknowledges. Both run against the same loopback Discord
in one process, so the ratio is what matters, not the absolute figures.

Run: .venv/bin/python -m bench.bench_clicks [--clicks 1000] [--seconds 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import statistics
import tempfile
import time
import warnings
from collections.abc import AsyncIterator
from pathlib import Path

with warnings.catch_warnings():  # discord.py imports the deprecated audioop
    warnings.simplefilter("ignore", DeprecationWarning)
    import discord

import yarl
from discord.gateway import DiscordWebSocket

from tests.daily_support import custom_ids, question_posts, tiny_content
from tests.fakes.discord_server import FakeMember, StudyGroupDiscord
from tests.harness import running_app, settings_for


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def click_storm(
    fake: StudyGroupDiscord,
    members: list[FakeMember],
    message_id: int,
    custom_id: str,
    seconds: float,
) -> list[float]:
    """Dispatch one click per member spread over ``seconds``; latencies in ms."""
    started_requests = len(fake.requests)
    gap = seconds / len(members)
    interactions = []
    begin = time.perf_counter()
    for index, member in enumerate(members):
        interactions.append(await fake.click(member, message_id, custom_id))
        delay = begin + (index + 1) * gap - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    by_id = {inter.id: inter for inter in interactions}
    await fake.wait_until(
        lambda: all(inter.responses for inter in interactions) or None,
        60,
        lambda: f"{sum(bool(i.responses) for i in interactions)} of {len(interactions)} answered",
    )
    latencies = []
    for request in fake.requests[started_requests:]:
        match = re.match(r"/interactions/(\d+)/", request.path)
        if match and int(match.group(1)) in by_id:
            latencies.append((request.at - by_id[int(match.group(1))].dispatched_at) * 1000)
    return latencies


@contextlib.asynccontextmanager
async def loopback() -> AsyncIterator[StudyGroupDiscord]:
    # Spec validation costs the fake milliseconds per request on the shared event
    # loop; the benchmark measures the bot, so the fake skips it here.
    fake = StudyGroupDiscord(spec_path=None)
    await fake.start()
    original = (discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    discord.http.Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield fake
    finally:
        discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = original
        await fake.close()


async def studybot_run(clicks: int, seconds: float, workdir: Path) -> tuple[list[float], int]:
    async with loopback() as fake:
        members = [fake.guild.add_member(f"m{i}") for i in range(clicks)]
        settings = settings_for(
            fake, workdir / "bench.sqlite3", content_dir=tiny_content(workdir), log_level="WARNING"
        )
        async with running_app(settings, fake) as app:
            values = {
                "channel": fake.study_channel_id,
                "time": "09:00",
                "timezone": "UTC",
                "rounds": "coding",
                "reveal": "23h",
            }
            setup = await fake.run_slash(fake.admin, "studybot", values, subcommand="setup")
            await setup.wait_response()
            if not question_posts(fake, fake.study_channel_id):
                posted = await fake.run_slash(fake.admin, "studybot", subcommand="post-now")
                await posted.wait_followup()
            post = question_posts(fake, fake.study_channel_id)[0]
            latencies = await click_storm(
                fake, members, int(post["id"]), custom_ids(post)[0], seconds
            )
            return latencies, app.services.writer.batches_committed


class BareBot(discord.Client):
    """A discord.py bot whose persistent button does nothing but acknowledge."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.1)

    async def setup_hook(self) -> None:
        self.view = view = discord.ui.View(timeout=None)
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label="A", custom_id="bare:click"
        )

        async def acknowledge(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("recorded", ephemeral=True)

        button.callback = acknowledge  # type: ignore[method-assign]
        view.add_item(button)
        self.add_view(view)


async def bare_run(clicks: int, seconds: float) -> list[float]:
    async with loopback() as fake:
        members = [fake.guild.add_member(f"m{i}") for i in range(clicks)]
        bot = BareBot()
        await bot.login(fake.token)
        task = asyncio.create_task(bot.connect())
        await bot.wait_until_ready()
        try:
            channel = bot.get_channel(fake.study_channel_id)
            assert isinstance(channel, discord.TextChannel)
            message = await channel.send("question", view=bot.view)
            return await click_storm(fake, members, message.id, "bare:click", seconds)
        finally:
            await bot.close()
            with contextlib.suppress(Exception):
                await task


def summary(name: str, latencies: list[float], seconds: float) -> str:
    return (
        f"{name:<10} clicks {len(latencies):>5} over {seconds:.1f} s   "
        f"p50 {statistics.median(latencies):6.1f} ms   p95 {percentile(latencies, 0.95):6.1f} ms   "
        f"p99 {percentile(latencies, 0.99):6.1f} ms   max {max(latencies):6.1f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default="250,500,1000", help="clicks per second to try")
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    for rate in (int(r) for r in args.rates.split(",")):
        clicks = int(rate * args.seconds)
        with tempfile.TemporaryDirectory() as tmp:
            cpu = time.process_time()
            ours, batches = await studybot_run(clicks, args.seconds, Path(tmp))
            ours_cpu = time.process_time() - cpu
        cpu = time.process_time()
        bare = await bare_run(clicks, args.seconds)
        bare_cpu = time.process_time() - cpu
        print(f"-- {rate} clicks/s --")
        print(summary("bare", bare, args.seconds) + f"   (run cpu {bare_cpu:.2f} s)")
        print(summary("studybot", ours, args.seconds) + f"   (run cpu {ours_cpu:.2f} s)")
        print(
            f"studybot committed {len(ours)} answers in {batches} transactions "
            f"({len(ours) / max(batches, 1):.1f} per commit); p50 ratio "
            f"{statistics.median(ours) / statistics.median(bare):.1f}x, p99 ratio "
            f"{percentile(ours, 0.99) / percentile(bare, 0.99):.1f}x"
        )


if __name__ == "__main__":
    asyncio.run(main())
