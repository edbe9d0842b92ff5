"""The :class:`MockRunner`: mock threads' messages, turns, buttons and clock."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import discord
from discord.ext import commands

from bot.discord_ui.cogs.mock._notices import ATTACHMENT_NOTE, CONTROLS, OTHERS_NOTICE
from bot.discord_ui.cogs.mock._threads import open_thread, post_and_archive
from bot.discord_ui.cogs.mock._turns import Stream, _Thread, interrupt, play_turn, stop
from bot.discord_ui.errors import NO_MENTIONS
from bot.discord_ui.mock_views import controls_view, debrief_embed
from bot.discord_ui.streaming import ChannelWriter, EditBudget, StreamRenderer
from bot.domain.debrief import Debrief
from bot.domain.errors import ClosedError, InvalidInputError, PermissionDeniedError
from bot.domain.interview import (
    MESSAGE_MAX_CHARS,
    InterviewSession,
    SessionStatus,
    TurnKind,
    clean_candidate_message,
)
from bot.domain.message_split import split_message
from bot.domain.taxonomy import Taxonomy
from bot.services.mock import MockService

log = logging.getLogger("bot.discord_ui.cogs.mock")  # the package's logger, as before the split


class MockRunner:
    """Drives mock threads; implements :class:`bot.discord_ui.mock_views.MockButtons`."""

    def __init__(
        self,
        bot: commands.Bot,
        service: MockService,
        taxonomy: Taxonomy,
        *,
        budget: EditBudget | None = None,
        debounce_s: float = 1.5,
        edit_interval_s: float = 1.0,
    ) -> None:
        self._bot = bot
        self._service = service
        self._taxonomy = taxonomy
        self._budget = budget or EditBudget()
        self._debounce_s = debounce_s
        self._edit_interval_s = edit_interval_s
        self._threads: dict[int, _Thread] = {}
        self._not_mock: set[int] = set()

    # --- starting and ending -----------------------------------------------------------

    async def begin(
        self,
        interaction: discord.Interaction,
        round: str,
        track: str | None,
        minutes: int,
        mode: str,
    ) -> None:
        """``/mock start``: open the session and its thread, then stream the opening."""
        parent = interaction.channel
        if isinstance(parent, discord.Thread):
            parent = parent.parent
        if interaction.guild is None or not isinstance(parent, discord.TextChannel):
            raise InvalidInputError("Start a mock from a text channel of a server.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id, user = interaction.guild.id, interaction.user
        existing = await self._service.active_for(guild_id, user.id)
        if existing is not None:
            await self._point_to_existing(interaction, existing)
            return
        session = await self._service.open(guild_id, user.id, round, track, minutes, mode)
        policy = await self._service.policy_for(guild_id)
        name = f"{session.round.value} mock · {user.display_name}"[:100]
        try:
            thread = await open_thread(parent, name, user.id, policy.private_threads)
        except discord.HTTPException:
            log.exception("Could not create a mock thread in %s", parent.id)
            await self._service.end(session.id)
            raise InvalidInputError(
                "I couldn't create a thread here. Check that I may create threads in this channel."
            ) from None
        await self._service.attach_thread(session.id, thread.id)
        state = self._threads[thread.id] = _Thread(session.id, user.id)
        self._not_mock.discard(thread.id)
        text = CONTROLS.format(round=session.round.value, minutes=minutes, mode=session.mode.value)
        await thread.send(text, view=controls_view(session.id), allowed_mentions=NO_MENTIONS)
        self._start_turn(thread.id, state, lambda: self._service.opening(session.id))
        await interaction.followup.send(
            f"Your mock is ready: {thread.mention}", ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    async def _point_to_existing(
        self, interaction: discord.Interaction, existing: InterviewSession
    ) -> None:
        """Tell the member where their running mock is instead of starting another."""
        thread_id = await self._service.thread_for(existing.id)
        where = f" in <#{thread_id}>" if thread_id else ""
        await interaction.followup.send(
            f"You already have a {existing.round.value} mock running{where}. "
            "Carry on there, or end it with `/mock end`.",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    async def end(self, session_id: int) -> Debrief:
        """End the mock; the first end posts the debrief in the thread and archives it."""
        was_active = (await self._service.get(session_id)).status is SessionStatus.ACTIVE
        thread_id = await self._service.thread_for(session_id)
        state = self._threads.get(thread_id) if thread_id is not None else None
        if state is not None:
            await stop(state)
        debrief = await self._service.end(session_id)
        if was_active and thread_id is not None:
            await self._close_thread(thread_id, debrief)
        return debrief

    async def _close_thread(self, thread_id: int, debrief: Debrief) -> None:
        self._threads.pop(thread_id, None)
        self._not_mock.add(thread_id)
        await post_and_archive(self._bot, thread_id, debrief_embed(debrief, self._taxonomy))

    async def tick_all(self) -> None:
        """The per-minute check: time warnings, wrap-up at time, idle close."""
        for session in await self._service.open_sessions():
            try:
                thread_id = await self._service.thread_for(session.id)
                state = self._threads.get(thread_id) if thread_id is not None else None
                if thread_id is None or (state is not None and state.busy):
                    continue  # not a Discord mock, or a turn is in flight: next minute
                tick = await self._service.tick(session.id)
                channel = self._bot.get_partial_messageable(thread_id)
                for part in split_message(tick.text or ""):
                    if part:
                        await channel.send(part, allowed_mentions=NO_MENTIONS)
                if tick.debrief is not None:
                    await self._close_thread(thread_id, tick.debrief)
            except Exception:  # one broken mock must not stop the others' clocks
                log.exception("Tick failed for mock %s", session.id)

    async def run_clock(self, every_s: float = 60) -> None:
        """Call :meth:`tick_all` every ``every_s`` seconds until cancelled."""
        while True:
            await asyncio.sleep(every_s)
            await self.tick_all()

    async def close(self) -> None:
        """Stop every debounce and turn (the bot is shutting down)."""
        for state in list(self._threads.values()):
            await stop(state)

    # --- messages in threads -----------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.guild is None:
            return
        state = await self._thread_state(message.channel.id)
        if state is None:
            return
        if message.author.id != state.user_id:
            if message.author.id not in state.told:
                state.told.add(message.author.id)
                await message.reply(OTHERS_NOTICE, allowed_mentions=NO_MENTIONS)
            return
        if message.attachments:
            await message.reply(ATTACHMENT_NOTE, allowed_mentions=NO_MENTIONS)
        if not message.content.strip():
            return
        try:
            text = clean_candidate_message(message.content)
        except InvalidInputError as error:
            await message.reply(error.user_message, allowed_mentions=NO_MENTIONS)
            return
        await interrupt(state)  # the candidate spoke: stop talking over them
        if sum(len(p) + 2 for p in state.pending) + len(text) > MESSAGE_MAX_CHARS:
            await self._flush(message.channel.id, state)
        state.pending.append(text)
        if state.debounce is not None:
            state.debounce.cancel()
        state.debounce = asyncio.create_task(self._after_quiet(message.channel.id, state))

    async def _thread_state(self, channel_id: int) -> _Thread | None:
        """The live mock in this channel, re-attached from the database after a restart."""
        state = self._threads.get(channel_id)
        if state is not None or channel_id in self._not_mock:
            return state
        session = await self._service.session_for_thread(channel_id)
        if session is None or session.status is not SessionStatus.ACTIVE:
            if len(self._not_mock) > 10_000:
                self._not_mock.clear()
            self._not_mock.add(channel_id)
            return None
        return self._threads.setdefault(channel_id, _Thread(session.id, session.user_id))

    async def _after_quiet(self, thread_id: int, state: _Thread) -> None:
        await asyncio.sleep(self._debounce_s)
        state.debounce = None
        await self._flush(thread_id, state)

    async def _flush(self, thread_id: int, state: _Thread) -> None:
        if not state.pending:
            return
        text = "\n\n".join(state.pending)
        state.pending.clear()
        await interrupt(state)
        self._start_turn(thread_id, state, lambda: self._service.answer(state.session_id, text))

    # --- turns -------------------------------------------------------------------------

    def _start_turn(self, thread_id: int, state: _Thread, stream: Stream) -> None:
        state.turn = asyncio.create_task(
            self._run_turn(thread_id, state, stream), name=f"mock-turn-{state.session_id}"
        )

    async def _run_turn(self, thread_id: int, state: _Thread, stream: Stream) -> None:
        """Stream one interviewer turn into the thread; failures stay in the thread."""
        channel = self._bot.get_partial_messageable(thread_id)
        renderer = StreamRenderer(
            ChannelWriter(channel), self._budget, interval=self._edit_interval_s
        )
        if not await play_turn(thread_id, channel, renderer, state, stream):
            return
        session = await self._service.get(state.session_id)
        if session.turns and session.turns[-1].kind is TurnKind.WRAP_UP:
            await self.end(state.session_id)

    # --- buttons -----------------------------------------------------------------------

    async def _owned(
        self, interaction: discord.Interaction, session_id: int
    ) -> tuple[int, _Thread]:
        """The thread of the candidate's own, still active mock; raises a kind error if not."""
        session = await self._service.get(session_id)
        if session.user_id != interaction.user.id:
            raise PermissionDeniedError("Only the candidate can use this mock's buttons.")
        if session.status is not SessionStatus.ACTIVE:
            raise ClosedError("This mock has ended. Start a new one with `/mock start`.")
        thread_id = await self._service.thread_for(session_id)
        state = await self._thread_state(thread_id) if thread_id is not None else None
        if thread_id is None or state is None:
            raise ClosedError("This mock has no thread any more.")
        return thread_id, state

    async def press_hint(self, interaction: discord.Interaction, interview_id: int) -> None:
        thread_id, state = await self._owned(interaction, interview_id)
        if state.busy:
            raise InvalidInputError("Let the interviewer finish first, then ask for a hint.")
        await interaction.response.defer()
        self._start_turn(thread_id, state, lambda: self._service.hint(interview_id))

    async def press_end(self, interaction: discord.Interaction, interview_id: int) -> None:
        await self._owned(interaction, interview_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.end(interview_id)
        await interaction.followup.send(
            "Ended. Your debrief is in the thread.", ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    async def press_retry(self, interaction: discord.Interaction, interview_id: int) -> None:
        thread_id, state = await self._owned(interaction, interview_id)
        if state.busy:
            raise InvalidInputError("The interviewer is already answering.")
        await interaction.response.defer()
        with contextlib.suppress(discord.HTTPException):
            await interaction.edit_original_response(view=None)
        self._start_turn(thread_id, state, lambda: self._service.retry(interview_id))
