"""Submitting answers to a daily question, and reading a member's own result."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from bot.domain.bank import QuestionBank
from bot.domain.errors import ClosedError, InvalidInputError, NotFoundError
from bot.domain.grading import normalise_answer
from bot.domain.models import (
    AnswerSubmission,
    Confidence,
    Posting,
    PostingStatus,
    StoredAnswer,
    SubmitOutcome,
    SubmitReceipt,
)
from bot.domain.ports import AnswerRepository, Clock, PostingRepository
from bot.domain.questions import Kind, Question
from bot.services.answer_writer import AnswerWriter

# A click can arrive between the send and the commit of its message id: the
# message exists, so the claimed posting is live.
ANSWERABLE = frozenset({PostingStatus.CLAIMED, PostingStatus.POSTED})


@dataclass(frozen=True)
class MyResult:
    """What "My result" shows a member, privately."""

    question: Question
    answer: StoredAnswer | None
    credit: float | None
    feedback: str


class AnswerService:
    def __init__(
        self,
        bank: QuestionBank,
        postings: PostingRepository,
        answers: AnswerRepository,
        writer: AnswerWriter,
        clock: Clock,
    ) -> None:
        self._bank = bank
        self._postings = postings
        self._answers = answers
        self._writer = writer
        self._clock = clock
        # question_id and closes_at never change once posted: cache them so a click
        # costs no read. Whether the posting is still open is checked in the batch.
        # The cache holds the read in flight, so the first hundred clicks at 09:00
        # share one query instead of queueing a hundred for the connection pool.
        self._posting_cache: dict[int, asyncio.Task[Posting | None]] = {}

    async def _load_posting(self, posting_id: int) -> Posting:
        task = self._posting_cache.get(posting_id)
        if task is None:
            task = asyncio.create_task(self._postings.get(posting_id))
            self._posting_cache[posting_id] = task
        try:
            posting = await asyncio.shield(task)
        except Exception:
            self._posting_cache.pop(posting_id, None)
            raise
        if posting is None or posting.status not in ANSWERABLE:
            self._posting_cache.pop(posting_id, None)
        if posting is None:
            raise NotFoundError("This question no longer exists.")
        return posting

    async def _posting(self, posting_id: int) -> tuple[Posting, Question]:
        posting = await self._load_posting(posting_id)
        question = self._bank.get(posting.question_id)
        if question is None:
            raise NotFoundError("This question was removed from the bank.")
        if posting.status not in ANSWERABLE or self._clock.now() >= posting.closes_at:
            raise ClosedError("Answers for this question are closed. Check the reveal!")
        return posting, question

    async def question_for(self, posting_id: int) -> Question:
        """The question of an open posting (for the answer modal's title)."""
        return (await self._posting(posting_id))[1]

    async def submit_choice(
        self, posting_id: int, user_id: int, display_name: str, option: int
    ) -> SubmitReceipt:
        posting, question = await self._posting(posting_id)
        if question.kind is not Kind.CHOICE or not 0 <= option < len(question.options):
            raise InvalidInputError("That option does not belong to this question.")
        return await self._submit(posting, user_id, display_name, choice_index=option)

    async def submit_text(
        self, posting_id: int, user_id: int, display_name: str, text: str
    ) -> SubmitReceipt:
        posting, question = await self._posting(posting_id)
        if question.kind is not Kind.OPEN:
            raise InvalidInputError("This question is answered with the buttons.")
        return await self._submit(posting, user_id, display_name, text=normalise_answer(text))

    async def _submit(
        self,
        posting: Posting,
        user_id: int,
        display_name: str,
        *,
        choice_index: int | None = None,
        text: str | None = None,
    ) -> SubmitReceipt:
        receipt = await self._writer.submit(
            AnswerSubmission(
                posting_id=posting.id,
                guild_id=posting.guild_id,
                user_id=user_id,
                display_name=display_name,
                answered_at=self._clock.now(),
                choice_index=choice_index,
                text=text,
            )
        )
        if receipt.outcome is SubmitOutcome.CLOSED:
            self._posting_cache.pop(posting.id, None)  # reload the status next time
            raise ClosedError("Answers for this question are closed. Check the reveal!")
        return receipt

    async def set_confidence(self, posting_id: int, user_id: int, confidence: Confidence) -> None:
        """Store how sure the member was; never changes the grade."""
        if not await self._answers.set_confidence(posting_id, user_id, confidence):
            raise NotFoundError("Answer the question first, then say how sure you were.")

    async def my_result(self, posting_id: int, user_id: int) -> MyResult:
        posting = await self._postings.get(posting_id)
        if posting is None:
            raise NotFoundError("This question no longer exists.")
        question = self._bank.get(posting.question_id)
        if question is None:
            raise NotFoundError("This question was removed from the bank.")
        if posting.status is not PostingStatus.REVEALED:
            raise ClosedError("Results are shown after the reveal.")
        answer = await self._answers.get(posting_id, user_id)
        if answer is None:
            return MyResult(question, None, None, "You did not answer this one.")
        feedback = json.loads(answer.grade_json)["feedback"] if answer.grade_json else ""
        return MyResult(question, answer, answer.final_credit, feedback)
