"""ClaudeGrader: one forced ``record_grade`` call, and a second against a wrong reference."""

from __future__ import annotations

import logging
from pathlib import Path

import anthropic
from anthropic.types import Message, TextBlockParam

from bot.domain.errors import InterviewerUnavailableError
from bot.domain.grading import INJECTION_CAP, Flag, Grade, PointResult
from bot.domain.injection import find_instructions, strip_instructions
from bot.domain.questions import Kind, Question
from bot.llm.client import call_with_deadline
from bot.llm.grader._prompt import (
    PROMPTS_DIR,
    Reference,
    _load_prompt,
    delimited_answer,
    prepare_answer,
    real_reference,
    render_system,
    wrong_reference,
)
from bot.llm.grader._schema import (
    FORCE_RECORD_GRADE,
    RECORD_GRADE,
    _MalformedError,
    _parse,
    _tool_input,
    _Verdict,
)
from bot.llm.usage import LlmUsage, UsageSink

log = logging.getLogger("bot.llm.grader")  # the name it had before the package split

FULL_CREDIT = 0.99  # at or above this, the answer is checked against the wrong reference
SUSPICIOUS_CREDIT = 0.5  # credit on both references at or above this is not trusted
MAX_TOKENS = 2000  # six points of quotes and rationale fit comfortably
CAPPED_FEEDBACK = (
    "Capped at half credit: the answer reads as written to sway the grader rather than "
    "to answer the question. Explain the idea in your own words."
)
IGNORED_NOTE = "Instructions to the grader were ignored."
EMPTY_FEEDBACK = "Too short to grade: explain your reasoning in a few sentences."


class ClaudeGrader:
    """Grades open answers with Claude (implements :class:`bot.domain.ports.OpenGrader`).

    Each grading is one call (two when the wrong-reference check runs), each
    bounded by ``deadline_s`` seconds including the SDK's retries. Usage of
    every call goes to ``usage_sink`` with purpose ``"grade"``.
    """

    def __init__(
        self,
        client: anthropic.AsyncAnthropic,
        model: str,
        *,
        usage_sink: UsageSink | None = None,
        prompts_dir: Path = PROMPTS_DIR,
        deadline_s: float = 45,
    ) -> None:
        self._client = client
        self._model = model
        self._usage_sink = usage_sink
        self._deadline_s = deadline_s
        self.prompt_version, self._system, self._reminder = _load_prompt(prompts_dir / "grader.md")

    async def grade(self, question: Question, answer: str) -> Grade:
        """Grade ``answer`` against ``question``'s rubric; credit in [0, 1].

        Raises InterviewerUnavailableError on any SDK error, on the deadline and
        on malformed tool output, so the caller can grade offline instead.
        """
        if question.kind is not Kind.OPEN:
            raise ValueError(f"{question.id} is not an open question")
        text, had_tags = prepare_answer(answer)
        if not text:
            return _empty_grade(question, had_tags)
        flags: set[Flag] = set()
        evidence_text = text
        if had_tags or find_instructions(text):
            flags.add(Flag.INSTRUCTIONS_IN_ANSWER)
            # Quotes from sentences that instruct the grader earn nothing.
            evidence_text = strip_instructions(text)
        real = await self._judge(question, real_reference(question), text, evidence_text)
        flags |= real.flags
        credit, feedback = real.credit, real.feedback
        if credit >= FULL_CREDIT or Flag.INSTRUCTIONS_IN_ANSWER in flags:
            check = await self._judge(question, wrong_reference(question), text, evidence_text)
            flags |= check.flags & {Flag.INSTRUCTIONS_IN_ANSWER}
            if credit >= SUSPICIOUS_CREDIT and check.credit >= SUSPICIOUS_CREDIT:
                credit = min(credit, INJECTION_CAP)
                flags.add(Flag.CAPPED)
                # The model's feedback may have been steered too; do not relay it.
                feedback = CAPPED_FEEDBACK
        if Flag.INSTRUCTIONS_IN_ANSWER in flags and Flag.CAPPED not in flags:
            feedback = f"{feedback}\n{IGNORED_NOTE}".strip()
        return Grade(
            credit=credit,
            grader="claude",
            feedback=feedback,
            points=real.points,
            flags=frozenset(flags),
        )

    async def _judge(
        self, question: Question, reference: Reference, text: str, evidence_text: str
    ) -> _Verdict:
        """One forced ``record_grade`` call against ``reference``, validated."""
        content = delimited_answer(text, self._reminder)
        system: list[TextBlockParam] = [
            {
                "type": "text",
                "text": self._render_system(question, reference),
                # Identical for every member answering this question: worth caching.
                "cache_control": {"type": "ephemeral"},
            }
        ]
        message = await call_with_deadline(
            self._client.messages.create(
                model=self._model,
                max_tokens=MAX_TOKENS,
                system=system,
                messages=[{"role": "user", "content": content}],
                tools=[RECORD_GRADE],
                tool_choice=FORCE_RECORD_GRADE,
                extra_body={"temperature": 0},  # anthropic 2.14 has no temperature argument
            ),
            self._deadline_s,
        )
        await self._record_usage(message)
        try:
            return _parse(_tool_input(message), question, evidence_text)
        except _MalformedError as exc:
            log.warning("Claude returned a malformed grade for %s: %s", question.id, exc)
            raise InterviewerUnavailableError() from exc

    def _render_system(self, question: Question, reference: Reference) -> str:
        return render_system(self._system, question, reference)

    async def _record_usage(self, message: Message) -> None:
        if self._usage_sink is None:
            return
        try:
            await self._usage_sink(LlmUsage.from_sdk("grade", message.model, message.usage))
        except Exception:
            # Losing a usage record must not lose the grade it paid for.
            log.exception("Recording LLM usage failed")


def _empty_grade(question: Question, had_tags: bool) -> Grade:
    """No gradable text is left: no call is made, and no credit given."""
    flags = {Flag.INSUFFICIENT} | ({Flag.INSTRUCTIONS_IN_ANSWER} if had_tags else set())
    points = tuple(PointResult(p.point, p.weight, 0.0) for p in question.rubric)
    return Grade(0.0, "claude", EMPTY_FEEDBACK, points, frozenset(flags))
