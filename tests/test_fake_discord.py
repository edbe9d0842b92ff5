"""The loopback Discord, driven by a small real discord.py bot defined here (not studybot)."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakes.discord_harness import running_client
from tests.fakes.discord_rules import check_message
from tests.fakes.discord_server import DEFAULT_SPEC_PATH, FakeDiscord, StudyGroupDiscord

EPHEMERAL = 64


class AnswerModal(discord.ui.Modal, title="Answer"):
    answer: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
        label="Your answer", custom_id="answer"
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"got {self.answer.value}", ephemeral=True)


class LabelAnswerModal(discord.ui.Modal, title="Answer"):
    answer: discord.ui.Label[LabelAnswerModal] = discord.ui.Label(
        text="Your answer", component=discord.ui.TextInput(custom_id="answer")
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert isinstance(self.answer.component, discord.ui.TextInput)
        await interaction.response.send_message(
            f"got {self.answer.component.value}", ephemeral=True
        )


class QuizView(discord.ui.View):
    """A persistent view: timeout=None and a custom_id on every item."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Done", custom_id="test:v1:done", style=discord.ButtonStyle.green)
    async def done(self, interaction: discord.Interaction, button: discord.ui.Button[QuizView]):
        await interaction.response.edit_message(content="done!", view=None)

    @discord.ui.button(label="Answer", custom_id="test:v1:answer")
    async def answer(self, interaction: discord.Interaction, button: discord.ui.Button[QuizView]):
        await interaction.response.send_modal(AnswerModal())

    @discord.ui.select(
        custom_id="test:v1:level",
        options=[discord.SelectOption(label=x, value=x) for x in ("easy", "hard")],
    )
    async def level(self, interaction: discord.Interaction, select: discord.ui.Select[QuizView]):
        await interaction.response.send_message(f"level {select.values[0]}", ephemeral=True)

    @discord.ui.button(label="Answer (label)", custom_id="test:v1:label")
    async def label(self, interaction: discord.Interaction, button: discord.ui.Button[QuizView]):
        await interaction.response.send_modal(LabelAnswerModal())


class MiniBot(commands.Bot):
    def __init__(self, guild_id: int) -> None:
        super().__init__(
            command_prefix="!",
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=0.1,
        )
        self.guild_id = guild_id
        self.errors: list[Exception] = []
        self.ready_count = 0
        guild = discord.Object(guild_id)
        command: app_commands.Command[discord.app_commands.Group, ..., None]
        for command in (echo, slow, twice, think, quiz):
            self.tree.add_command(command, guild=guild)

    async def setup_hook(self) -> None:
        self.add_view(QuizView())
        await self.tree.sync(guild=discord.Object(self.guild_id))

    async def on_ready(self) -> None:
        self.ready_count += 1

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every re-IDENTIFY; tests need not wait."""


@app_commands.command(description="Repeat some text")
@app_commands.describe(text="What to say", times="How often")
async def echo(interaction: discord.Interaction, text: str, times: int = 1) -> None:
    await interaction.response.send_message(" ".join([text] * times), ephemeral=True)


@app_commands.command(description="Answers too late")
async def slow(interaction: discord.Interaction) -> None:
    await asyncio.sleep(3.1)
    bot = interaction.client
    assert isinstance(bot, MiniBot)
    try:
        await interaction.response.send_message("late")
    except discord.NotFound as error:
        bot.errors.append(error)


@app_commands.command(description="Answers twice")
async def twice(interaction: discord.Interaction) -> None:
    bot = interaction.client
    assert isinstance(bot, MiniBot)
    await interaction.response.send_message("one")
    try:
        await bot.http.request(
            discord.http.Route(
                "POST",
                "/interactions/{interaction_id}/{token}/callback",
                interaction_id=interaction.id,
                token=interaction.token,
            ),
            json={"type": 4, "data": {"content": "two"}},
        )
    except discord.HTTPException as error:
        bot.errors.append(error)


@app_commands.command(description="Defers, then follows up")
async def think(interaction: discord.Interaction) -> None:
    await interaction.response.defer(thinking=True, ephemeral=True)
    await interaction.followup.send("thought about it", ephemeral=True)
    await interaction.followup.send("and one more thing")


@app_commands.command(description="Start a quiz")
async def quiz(
    interaction: discord.Interaction,
    topic: str,
    partner: discord.Member | None = None,
    where: discord.TextChannel | None = None,
) -> None:
    partner_name = partner.name if partner else "nobody"
    where_name = where.name if where else "here"
    await interaction.response.send_message(f"{topic} with {partner_name} in {where_name}")


@quiz.autocomplete("topic")
async def quiz_topic(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    topics = ["attention", "backprop", "batch norm"]
    return [app_commands.Choice(name=t, value=t) for t in topics if t.startswith(current)]


@pytest.fixture
async def bot(discord_routes: StudyGroupDiscord) -> AsyncIterator[MiniBot]:
    async with running_client(MiniBot(discord_routes.guild.id), discord_routes) as client:
        yield client


async def test_login_connect_and_ready(discord_routes: StudyGroupDiscord, bot: MiniBot) -> None:
    fake = discord_routes
    await fake.wait_ready()
    assert bot.ready_count == 1
    assert bot.user is not None and bot.user.id == fake.bot_user_id
    paths = [(r.method, r.path) for r in fake.requests]
    assert paths[:2] == [("GET", "/users/@me"), ("GET", "/oauth2/applications/@me")]
    assert fake.identify_count == 1
    assert [op["op"] for op in fake.gateway_log][:2] == [1, 2]  # heartbeat first, then IDENTIFY
    guild = bot.get_guild(fake.guild.id)
    assert guild is not None and guild.name == "Study Group"
    assert {c.name for c in guild.text_channels} == {"general", "study"}


async def test_tree_sync_is_recorded(discord_routes: StudyGroupDiscord, bot: MiniBot) -> None:
    fake = discord_routes
    sync = await fake.wait_request("PUT", rf"/applications/{fake.app_id}/guilds/\d+/commands")
    assert sync.status == 200
    names = {"echo", "slow", "twice", "think", "quiz"}
    assert {c["name"] for c in sync.json} == names
    stored = fake.guild_commands[fake.guild.id]
    assert all(c["id"] and c["application_id"] == str(fake.app_id) for c in stored)
    fetched = await bot.tree.fetch_commands(guild=discord.Object(fake.guild.id))
    assert {c.name for c in fetched} == names


async def test_slash_command_ephemeral_reply(discord_routes: StudyGroupDiscord, bot: MiniBot):
    fake = discord_routes
    interaction = await fake.run_slash(fake.alice, "echo", {"text": "hi", "times": 2})
    response = await interaction.wait_response()
    assert response["type"] == 4
    assert response["data"]["content"] == "hi hi"
    assert response["data"]["allowed_mentions"] == {"parse": []}
    assert interaction.ephemeral
    assert interaction.message is not None and interaction.message["flags"] & EPHEMERAL
    sent = interaction.payload["data"]["options"]
    assert sent == [
        {"name": "text", "type": 3, "value": "hi"},
        {"name": "times", "type": 4, "value": 2},
    ]


async def test_defer_then_followups(discord_routes: StudyGroupDiscord, bot: MiniBot) -> None:
    fake = discord_routes
    interaction = await fake.run_slash(fake.admin, "think")
    assert (await interaction.wait_response())["type"] == 5
    await interaction.wait_followup(2)
    assert interaction.ephemeral
    original = interaction.message
    assert original is not None and original["content"] == "thought about it"
    assert original["flags"] == EPHEMERAL  # loading flag cleared by the first followup
    last = fake.channel_messages(fake.guild.general_channel_id)[-1]
    assert last["content"] == "and one more thing" and not last["flags"] & EPHEMERAL


async def post_quiz(bot: MiniBot, fake: StudyGroupDiscord) -> discord.Message:
    channel = bot.get_channel(fake.study_channel_id)
    assert isinstance(channel, discord.TextChannel)
    return await channel.send("Question 1", view=QuizView())


async def test_persistent_button_click(discord_routes: StudyGroupDiscord, bot: MiniBot) -> None:
    fake = discord_routes
    message = await post_quiz(bot, fake)
    interaction = await fake.click(fake.alice, message.id, "test:v1:done")
    response = await interaction.wait_response()
    assert response["type"] == 7
    stored = fake.messages[message.id]
    assert stored["content"] == "done!" and stored["components"] == []
    assert interaction.message is stored


@pytest.mark.parametrize("button", ["test:v1:answer", "test:v1:label"])
async def test_modal_round_trip(
    discord_routes: StudyGroupDiscord, bot: MiniBot, button: str
) -> None:
    fake = discord_routes
    message = await post_quiz(bot, fake)
    opened = await fake.click(fake.alice, message.id, button)
    assert (await opened.wait_response())["type"] == 9
    submitted = await fake.submit_modal(fake.alice, opened, {"answer": "gradient descent"})
    reply = await submitted.wait_response()
    assert reply["data"]["content"] == "got gradient descent"
    assert submitted.ephemeral
    layout = submitted.payload["data"]["components"][0]["type"]
    assert layout == (18 if button.endswith("label") else 1)


async def test_late_response_is_unknown_interaction(
    discord_routes: StudyGroupDiscord, bot: MiniBot
) -> None:
    fake = discord_routes
    interaction = await fake.run_slash(fake.alice, "slow")
    request = await fake.wait_request("POST", r"/interactions/\d+/[^/]+/callback", timeout=6)
    assert request.status == 404 and request.response["code"] == 10062
    assert interaction.responses == []
    await fake.wait_until(lambda: bot.errors or None, 5, str)
    assert isinstance(bot.errors[0], discord.NotFound) and bot.errors[0].code == 10062


async def test_second_response_is_already_acknowledged(
    discord_routes: StudyGroupDiscord, bot: MiniBot
) -> None:
    fake = discord_routes
    interaction = await fake.run_slash(fake.alice, "twice")
    await fake.wait_request("POST", r"/callback$", predicate=lambda r: r.status == 400)
    assert len(interaction.responses) == 1
    error = await fake.wait_until(lambda: bot.errors[0] if bot.errors else None, 5, str)
    assert isinstance(error, discord.HTTPException) and error.code == 40060


async def test_content_over_2000_characters(discord_routes: StudyGroupDiscord, bot: MiniBot):
    channel = bot.get_channel(discord_routes.study_channel_id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send("x" * 2001)
    assert raised.value.status == 400 and raised.value.code == 50035
    assert "content" in raised.value.text
    await channel.send("x" * 2000)


async def test_discord_limits_reject_oversize_embeds(
    discord_routes: StudyGroupDiscord, bot: MiniBot
):
    channel = bot.get_channel(discord_routes.study_channel_id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send(embed=discord.Embed(title="t" * 257))
    assert raised.value.code == 50035


async def test_spec_rejects_invalid_bodies(discord_routes: StudyGroupDiscord, bot: MiniBot):
    fake = discord_routes
    if fake.spec is None:
        pytest.skip(f"Discord's OpenAPI spec is not at {DEFAULT_SPEC_PATH} in this checkout")
    channel = bot.get_channel(fake.study_channel_id)
    assert isinstance(channel, discord.TextChannel)
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=channel.id)
    with pytest.raises(discord.HTTPException) as raised:
        await bot.http.request(route, json={"content": "hi", "tts": "yes", "flags": "x"})
    assert raised.value.code == 50035
    errors = fake.requests[-1].response["errors"]
    assert set(errors) == {"tts", "flags"}
    assert errors["tts"]["_errors"][0]["code"] == "BASE_TYPE_BAD_TYPE"


async def test_rate_limit_is_retried(discord_routes: StudyGroupDiscord, bot: MiniBot) -> None:
    fake = discord_routes
    fake.fail_next("POST", r"^/channels/\d+/messages$", status=429, retry_after=0.05)
    start = len(fake.requests)
    channel = bot.get_channel(fake.study_channel_id)
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send("after the limit")
    statuses = [r.status for r in fake.requests[start:]]
    assert statuses == [429, 200]
    assert fake.messages[message.id]["content"] == "after the limit"


async def test_dropped_connection_resumes(discord_routes: StudyGroupDiscord, bot: MiniBot):
    fake = discord_routes
    resumed = asyncio.Event()

    async def on_resumed() -> None:
        resumed.set()

    bot.add_listener(on_resumed)
    await fake.drop_connection()
    away = await fake.post_message(fake.alice, fake.study_channel_id, "sent while away")
    await asyncio.wait_for(resumed.wait(), 5)
    assert fake.resume_count == 1 and fake.identify_count == 1
    resume = next(op for op in fake.gateway_log if op["op"] == 6)
    assert resume["d"]["seq"] == 2  # READY and GUILD_CREATE were seen before the drop
    assert int(away["id"]) in {m.id for m in bot.cached_messages}  # replayed on RESUME
    interaction = await fake.run_slash(fake.alice, "echo", {"text": "still here"})
    assert (await interaction.wait_response())["data"]["content"] == "still here"


async def test_thread_from_message(discord_routes: StudyGroupDiscord, bot: MiniBot) -> None:
    fake = discord_routes
    channel = bot.get_channel(fake.study_channel_id)
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send("Discuss question 1")
    thread = await message.create_thread(name="Question 1", auto_archive_duration=1440)
    assert thread.id == message.id and thread.parent_id == channel.id
    assert fake.threads[thread.id]["type"] == 11
    await thread.send("first!")
    assert [m["content"] for m in fake.channel_messages(thread.id)] == ["first!"]
    await thread.edit(archived=True)
    assert fake.threads[thread.id]["thread_metadata"]["archived"] is True
    with pytest.raises(discord.HTTPException):
        await message.create_thread(name="Question 1", auto_archive_duration=30)  # type: ignore[arg-type]


async def test_multipart_upload_is_recorded(discord_routes: StudyGroupDiscord, bot: MiniBot):
    fake = discord_routes
    channel = bot.get_channel(fake.study_channel_id)
    assert isinstance(channel, discord.TextChannel)
    upload = discord.File(io.BytesIO(b"mitochondria"), filename="notes.txt")
    message = await channel.send("my notes", file=upload)
    request = await fake.wait_request("POST", r"/messages$", predicate=lambda r: bool(r.files))
    assert request.files[0].content == b"mitochondria"
    assert request.files[0].name == "files[0]" and request.files[0].filename == "notes.txt"
    assert request.json["attachments"] == [{"id": 0, "filename": "notes.txt"}]
    assert message.attachments[0].filename == "notes.txt" and message.attachments[0].size == 12


async def test_member_message_and_history(discord_routes: StudyGroupDiscord, bot: MiniBot):
    fake = discord_routes
    seen: asyncio.Future[discord.Message] = asyncio.get_running_loop().create_future()

    async def on_message(message: discord.Message) -> None:
        if not seen.done():
            seen.set_result(message)

    bot.add_listener(on_message)
    posted = await fake.post_message(fake.alice, fake.study_channel_id, "hello bot")
    received = await asyncio.wait_for(seen, 5)
    assert received.id == int(posted["id"]) and isinstance(received.author, discord.Member)
    channel = bot.get_channel(fake.study_channel_id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("reply")
    history = [m.content async for m in channel.history(limit=10)]
    assert history == ["reply", "hello bot"]


async def test_unknown_route_is_404(discord_routes: StudyGroupDiscord, bot: MiniBot) -> None:
    with pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/nope/{x}", x=1))
    assert discord_routes.requests[-1].response == {"message": "404: Not Found", "code": 0}


async def test_missing_spec_only_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        fake = FakeDiscord(spec_path=tmp_path / "missing.json")
    assert fake.spec is None
    assert "not validated" in caplog.text


async def test_options_resolve_members_and_channels(
    discord_routes: StudyGroupDiscord, bot: MiniBot
) -> None:
    fake = discord_routes
    interaction = await fake.run_slash(
        fake.admin,
        "quiz",
        {"topic": "attention", "partner": fake.alice, "where": fake.study_channel_id},
    )
    response = await interaction.wait_response()
    assert response["data"]["content"] == "attention with alice in study"
    resolved = interaction.payload["data"]["resolved"]
    assert set(resolved) == {"users", "members", "channels"}


async def test_autocomplete(discord_routes: StudyGroupDiscord, bot: MiniBot) -> None:
    fake = discord_routes
    interaction = await fake.autocomplete(fake.alice, "quiz", {"topic": "ba"}, focused="topic")
    response = await interaction.wait_response()
    assert response["type"] == 8
    assert [c["value"] for c in response["data"]["choices"]] == ["backprop", "batch norm"]


async def test_select_menu(discord_routes: StudyGroupDiscord, bot: MiniBot) -> None:
    fake = discord_routes
    message = await post_quiz(bot, fake)
    interaction = await fake.select(fake.alice, message.id, "test:v1:level", ["hard"])
    assert (await interaction.wait_response())["data"]["content"] == "level hard"


async def test_reconnect_and_invalid_session(
    discord_routes: StudyGroupDiscord, bot: MiniBot
) -> None:
    fake = discord_routes
    await fake.send_reconnect()
    await fake.wait_until(lambda: fake.resume_count or None, 5, lambda: str(fake.gateway_log))
    await fake.send_invalid_session(resumable=False)
    await fake.wait_until(
        lambda: fake.identify_count == 2 or None, 5, lambda: str(fake.gateway_log)
    )
    await fake.wait_ready()
    interaction = await fake.run_slash(fake.alice, "echo", {"text": "back"})
    assert (await interaction.wait_response())["data"]["content"] == "back"


async def test_injected_errors_and_delays(discord_routes: StudyGroupDiscord, bot: MiniBot) -> None:
    fake = discord_routes
    channel = bot.get_channel(fake.study_channel_id)
    assert isinstance(channel, discord.TextChannel)
    fake.fail_next("POST", r"/messages$", status=403, code=50013)
    with pytest.raises(discord.Forbidden) as raised:
        await channel.send("nope")
    assert raised.value.code == 50013
    fake.slow_next("POST", r"/typing$", 0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await channel.typing()
    assert loop.time() - started >= 0.2


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"embeds": [{"description": "d" * 4097}]}, ["embeds", "0", "description"]),
        ({"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]}, ["embeds", "0"]),
        ({"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]}, ["embeds"]),
        ({"embeds": [{"footer": {"text": "f" * 2049}}]}, ["embeds", "0", "footer"]),
        ({"components": [{"type": 1, "components": []}] * 6}, ["components"]),
        (
            {
                "components": [
                    {"type": 1, "components": [{"type": 2, "style": 1, "custom_id": "x" * 101}]}
                ]
            },
            ["components", "0", "components", "0", "custom_id"],
        ),
        (
            {
                "components": [
                    {
                        "type": 1,
                        "components": [
                            {"type": 2, "style": 1, "label": "l" * 81, "custom_id": "a"}
                        ],
                    }
                ]
            },
            ["components", "0", "components", "0", "label"],
        ),
    ],
)
def test_message_limits(body: dict[str, object], where: list[str]) -> None:
    errors: dict[str, object] = {}
    check_message(body, errors, [])
    node: object = errors
    for key in where:
        assert isinstance(node, dict) and key in node, errors
        node = node[key]
