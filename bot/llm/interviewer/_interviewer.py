"""ClaudeInterviewer: the streamed reply, the forced-tool debrief and usage accounting."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import anthropic
from anthropic.types import Message, TextBlockParam, ToolParam
from pydantic import ValidationError

from bot.domain.bank import QuestionBank
from bot.domain.debrief import Debrief, dimensions_for, parse_debrief
from bot.domain.errors import InterviewerUnavailableError
from bot.domain.interview import InterviewSession
from bot.domain.interviewer import InterviewContext
from bot.domain.taxonomy import Taxonomy
from bot.llm.client import call_with_deadline
from bot.llm.interviewer._prompts import _MODES, _transcript, build_messages, load_prompts
from bot.llm.usage import LlmUsage

log = logging.getLogger("bot.llm.interviewer")  # the name it had before the package split

REPLY_MAX_TOKENS = 1024
DEBRIEF_MAX_TOKENS = 2000
SAMPLE_QUESTIONS = 4
ITEM_MAX, ITEMS_MAX = 300, 5
ScopedUsageSink = Callable[[LlmUsage, int, int], Awaitable[None]]
"""Receives (usage, guild id, user id) for every call; it should not raise."""


class ClaudeInterviewer:
    """Implements :class:`bot.domain.interviewer.Interviewer` with the Messages API."""

    def __init__(
        self,
        client: anthropic.AsyncAnthropic,
        model: str,
        prompts_dir: Path,
        bank: QuestionBank,
        taxonomy: Taxonomy,
        usage_sink: ScopedUsageSink | None = None,
        *,
        deadline_s: float = 45,
        temperature: float = 0.7,
    ) -> None:
        self._client = client
        self._model = model
        self._prompts = load_prompts(prompts_dir)
        self._bank = bank
        self._taxonomy = taxonomy
        self._usage_sink = usage_sink
        self._deadline_s = deadline_s
        self._temperature = temperature

    @property
    def prompt_versions(self) -> tuple[str, ...]:
        return self._prompts.versions

    # --- prompts ---------------------------------------------------------------------

    def _topics(self, session: InterviewSession) -> str:
        topics = [
            t
            for t in self._taxonomy.topics()
            if t.round is session.round and (session.track is None or t.track is session.track)
        ]
        return "\n".join(f"- {t.name}" for t in topics) or "- (the round's usual ground)"

    def _samples(self, session: InterviewSession) -> str:
        pool = sorted(
            (q for q in self._bank.eligible([session.round]) if q.track == session.track),
            key=lambda q: q.id,
        )
        random.Random(session.id).shuffle(pool)  # noqa: S311 - variety, not secrecy
        prompts = [" ".join(q.prompt.split())[:400] for q in pool[:SAMPLE_QUESTIONS]]
        return "\n".join(f"- {p}" for p in prompts) or "- (none in the bank yet)"

    def system_prompt(self, context: InterviewContext) -> str:
        session = context.session
        phases = "\n".join(
            f"- {phase.name}: about {max(1, round(session.minutes * phase.share))} min"
            for phase in context.spec.phases
        )
        track = f" The specialization track is {session.track.value}." if session.track else ""
        round_prompt = self._prompts.rounds[session.round].substitute(
            opening=context.spec.opening,
            topics=self._topics(session),
            samples=self._samples(session),
        )
        return self._prompts.protocol.substitute(
            round_name=self._taxonomy.round_name(session.round),
            minutes=session.minutes,
            track_line=track,
            phases=phases,
            mode_rule=_MODES[session.mode],
            round_prompt=round_prompt,
        )

    def _system(self, text: str) -> list[TextBlockParam]:
        # The same for every turn of a session: worth caching.
        return [{"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}]

    # --- the interview ---------------------------------------------------------------

    async def reply(self, context: InterviewContext) -> AsyncIterator[str]:
        """Stream the next interviewer message; raises InterviewerUnavailableError."""
        manager = self._client.messages.stream(
            model=self._model,
            max_tokens=REPLY_MAX_TOKENS,
            system=self._system(self.system_prompt(context)),
            messages=build_messages(context),
            extra_body={"temperature": self._temperature},  # 2.14 has no temperature argument
        )
        # Opening the stream includes the SDK's retries; bound it like any call.
        stream = await call_with_deadline(manager.__aenter__(), self._deadline_s)
        try:
            async for text in stream.text_stream:
                yield text
            final = await stream.get_final_message()
        except Exception as exc:  # SDK or transport, mid-stream: all mean "unavailable"
            log.warning("Claude stream failed: %s", type(exc).__name__)
            raise InterviewerUnavailableError() from exc
        finally:
            await manager.__aexit__(None, None, None)
        await self._record("interview", final, context.session)

    async def debrief(self, context: InterviewContext) -> Debrief:
        """Dimension scores and advice via forced ``record_debrief``; overall is computed."""
        session = context.session
        tool = self._debrief_tool(session)
        message = await call_with_deadline(
            self._client.messages.create(
                model=self._model,
                max_tokens=DEBRIEF_MAX_TOKENS,
                system=self._system(self._debrief_prompt(session)),
                messages=[{"role": "user", "content": _transcript(context.transcript)}],
                tools=[tool],
                tool_choice={"type": "tool", "name": "record_debrief"},
                extra_body={"temperature": 0},
            ),
            self._deadline_s,
        )
        await self._record("debrief", message, session)
        raw = next((b.input for b in message.content if b.type == "tool_use"), None)
        try:
            return parse_debrief(self._debrief_data(raw, session), self._taxonomy)
        except (ValidationError, TypeError) as exc:
            log.warning("Claude returned a malformed debrief for mock %s", session.id)
            raise InterviewerUnavailableError() from exc

    def _topic_ids(self, session: InterviewSession) -> list[str]:
        return [t.id for t in self._taxonomy.topics() if t.round is session.round] or [
            t.id for t in self._taxonomy.topics()
        ]

    def _debrief_prompt(self, session: InterviewSession) -> str:
        dimensions = "\n".join(f"- `{d.value}`" for d in dimensions_for(session.round))
        return self._prompts.debrief.substitute(
            round_name=self._taxonomy.round_name(session.round),
            dimensions=dimensions,
            topic_ids=", ".join(f"`{t}`" for t in self._topic_ids(session)),
        )

    def _debrief_tool(self, session: InterviewSession) -> ToolParam:
        strings = {"type": "array", "items": {"type": "string"}, "maxItems": ITEMS_MAX}
        dimension = {
            "type": "object",
            "properties": {
                "dimension": {"enum": [d.value for d in dimensions_for(session.round)]},
                "score": {"type": "integer", "minimum": 1, "maximum": 5},
                "note": {"type": "string"},
            },
            "required": ["dimension", "score", "note"],
        }
        topics = {"type": "array", "items": {"enum": self._topic_ids(session)}, "maxItems": 3}
        return {
            "name": "record_debrief",
            "description": "Record the debrief of the mock interview.",
            "input_schema": {
                "type": "object",
                "properties": {
                    "dimensions": {"type": "array", "items": dimension},
                    "strengths": strings,
                    "improvements": strings,
                    "recommended_topics": topics,
                },
                "required": ["dimensions", "strengths", "improvements", "recommended_topics"],
            },
        }

    def _debrief_data(self, raw: object, session: InterviewSession) -> dict[str, Any]:
        """The tool input made to fit the Debrief model's limits; shape errors stay errors."""
        if not isinstance(raw, dict):
            raise TypeError("no record_debrief call")
        known = set(self._topic_ids(session))

        def items(key: str) -> list[str]:
            values = raw.get(key) or []
            texts = [" ".join(str(v).split())[:ITEM_MAX] for v in values if isinstance(v, str)]
            return [t for t in texts if len(t) >= 3][:ITEMS_MAX]

        dimensions = [
            {**d, "note": " ".join(str(d.get("note", "")).split())[:ITEM_MAX]}
            for d in raw.get("dimensions") or []
            if isinstance(d, dict)
        ]
        return {
            "round": session.round,
            "track": session.track,
            "dimensions": dimensions,
            "strengths": items("strengths"),
            "improvements": items("improvements"),
            "recommended_topics": [t for t in items("recommended_topics") if t in known][:3],
            "offline": False,
        }

    async def _record(self, purpose: str, message: Message, session: InterviewSession) -> None:
        if self._usage_sink is None:
            return
        usage = LlmUsage.from_sdk(purpose, message.model, message.usage)
        try:
            await self._usage_sink(usage, session.guild_id, session.user_id)
        except Exception:  # accounting must never break an interview
            log.exception("Could not record usage of mock %s", session.id)
