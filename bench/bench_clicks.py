"""09:00 load: many members click a daily question's buttons within about a second.

Measures the time from each click reaching the bot's gateway to the fake Discord
receiving the bot's acknowledgement, for:

- **studybot**, started as users start it (``python -m bot run`` in its own
  process, pointed at the fake by its settings), which commits each answer to
  SQLite (group commit) before it acknowledges; and
- **bare**, a discord.py bot in its own process whose button only acknowledges.

The fake Discord runs in this process and skips its OpenAPI validation (it
costs milliseconds a request), so each bot gets a core of its own, as it would
against the real Discord.

Run: .venv/bin/python -m bench.bench_clicks [--rates 250,500,1000] [--seconds 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import AsyncIterator
from pathlib import Path

with warnings.catch_warnings():  # discord.py imports the deprecated audioop
    warnings.simplefilter("ignore", DeprecationWarning)
    import discord

from bot.discord_ui.endpoints import point_discord_at
from tests.daily_support import custom_ids, question_posts, tiny_content
from tests.fakes.discord_server import FakeMember, StudyGroupDiscord

REPO = Path(__file__).resolve().parents[1]
BARE_CUSTOM_ID = "bare:click"


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
async def bot_process(args: list[str], env: dict[str, str]) -> AsyncIterator[None]:
    """A bot in its own process for the block; interrupted (as Ctrl-C) at the end.

    Its log goes to ``$BENCH_BOT_LOG`` when set (and its level to
    ``$BENCH_BOT_LOG_LEVEL``), else nowhere.
    """
    with open(os.environ.get("BENCH_BOT_LOG", os.devnull), "ab") as log:  # noqa: ASYNC230
        process = await asyncio.create_subprocess_exec(
            sys.executable, *args, cwd=REPO, env={**os.environ, **env},
            stdout=asyncio.subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        try:
            yield
        finally:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()


def bot_env(fake: StudyGroupDiscord) -> dict[str, str]:
    return {
        "DISCORD_TOKEN": fake.token,
        "STUDYBOT_DISCORD_API_URL": fake.api_base,
        "STUDYBOT_DISCORD_GATEWAY_URL": fake.gateway_url,
        "STUDYBOT_LOG_LEVEL": os.environ.get("BENCH_BOT_LOG_LEVEL", "WARNING"),
        "PYTHONPATH": str(REPO),
    }


async def studybot_run(clicks: int, seconds: float, workdir: Path) -> list[float]:
    fake = StudyGroupDiscord(spec_path=None)
    await fake.start()
    try:
        members = [fake.guild.add_member(f"m{i}") for i in range(clicks)]
        env = {
            **bot_env(fake),
            "STUDYBOT_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}",
            "STUDYBOT_CONTENT_DIR": str(tiny_content(workdir)),
            "STUDYBOT_DEV_GUILD_ID": str(fake.guild.id),
        }
        async with bot_process(["-m", "bot", "run"], env):
            await fake.wait_request("PUT", r"/applications/\d+/guilds/\d+/commands", timeout=60)
            await fake.wait_ready(timeout=30)
            values = {"channel": fake.study_channel_id, "time": "00:00", "timezone": "UTC",
                      "rounds": "coding", "reveal": "23h"}  # fmt: skip
            setup = await fake.run_slash(fake.admin, "studybot", values, subcommand="setup")
            await setup.wait_response(timeout=10)
            post = await fake.wait_until(
                lambda: (
                    ((found := question_posts(fake, fake.study_channel_id)) and found[0]) or None
                ),
                30,
                lambda: "no question posted",
            )
            return await click_storm(fake, members, int(post["id"]), custom_ids(post)[0], seconds)
    finally:
        await fake.close()


class BareBot(discord.Client):
    """A discord.py bot whose persistent button does nothing but acknowledge."""

    def __init__(self, channel_id: int) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.1)
        self.channel_id = channel_id

    async def setup_hook(self) -> None:
        self.view = discord.ui.View(timeout=None)  # needs the running loop
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label="A", custom_id=BARE_CUSTOM_ID
        )

        async def acknowledge(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("recorded", ephemeral=True)

        button.callback = acknowledge  # type: ignore[method-assign]
        self.view.add_item(button)
        self.add_view(self.view)

    async def on_ready(self) -> None:
        channel = self.get_channel(self.channel_id)
        if isinstance(channel, discord.TextChannel):
            await channel.send("question", view=self.view)


def serve_bare() -> None:
    """The bare bot's process: reads the fake's addresses from the environment."""
    point_discord_at(
        os.environ["STUDYBOT_DISCORD_API_URL"], os.environ["STUDYBOT_DISCORD_GATEWAY_URL"]
    )
    bot = BareBot(int(os.environ["BARE_CHANNEL_ID"]))
    with contextlib.suppress(KeyboardInterrupt):
        bot.run(os.environ["DISCORD_TOKEN"], log_handler=None)


async def bare_run(clicks: int, seconds: float) -> list[float]:
    fake = StudyGroupDiscord(spec_path=None)
    await fake.start()
    try:
        members = [fake.guild.add_member(f"m{i}") for i in range(clicks)]
        env = {**bot_env(fake), "BARE_CHANNEL_ID": str(fake.study_channel_id)}
        async with bot_process(["-m", "bench.bench_clicks", "--serve-bare"], env):
            message = await fake.wait_until(
                lambda: next(iter(fake.channel_messages(fake.study_channel_id)), None),
                60,
                lambda: "the bare bot posted nothing",
            )
            return await click_storm(fake, members, int(message["id"]), BARE_CUSTOM_ID, seconds)
    finally:
        await fake.close()


def summary(name: str, latencies: list[float]) -> str:
    return (
        f"{name:<9} p50 {statistics.median(latencies):6.1f} ms   "
        f"p95 {percentile(latencies, 0.95):6.1f} ms   p99 {percentile(latencies, 0.99):6.1f} ms"
        f"   max {max(latencies):6.1f} ms   ({len(latencies)} acknowledged)"
    )


async def main(rates: list[int], seconds: float) -> None:
    for rate in rates:
        clicks = int(rate * seconds)
        with tempfile.TemporaryDirectory() as tmp:
            ours = await studybot_run(clicks, seconds, Path(tmp))
        bare = await bare_run(clicks, seconds)
        print(f"-- {rate} clicks/s for {seconds:g} s --")
        print(summary("bare", bare))
        print(summary("studybot", ours))
        print(
            f"ratio p50 {statistics.median(ours) / statistics.median(bare):.1f}x, "
            f"p99 {percentile(ours, 0.99) / percentile(bare, 0.99):.1f}x"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default="250,500,1000", help="clicks per second to try")
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_bare:
        serve_bare()
    else:
        asyncio.run(main([int(r) for r in arguments.rates.split(",")], arguments.seconds))
