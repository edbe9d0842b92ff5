"""Grading answers after they are acknowledged, off the interaction's hot path.

Choice answers are graded exactly; open answers by the configured grader (Claude
when a key is set) with the offline concept matcher as the fallback, so a
grading outage never blocks a reveal. Grades are stored against the answer's
revision: an answer changed while it was being graded is graded again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.domain.bank import QuestionBank
from bot.domain.errors import InterviewerUnavailableError
from bot.domain.grading import Grade, grade_choice, grade_open_offline
from bot.domain.models import AnswerSubmission, StoredAnswer, SubmitOutcome, SubmitReceipt
from bot.domain.ports import AnswerRepository, OpenGrader, PostingRepository
from bot.domain.questions import Kind, Question

log = logging.getLogger(__name__)


class GradingService:
    def __init__(
        self,
        bank: QuestionBank,
        answers: AnswerRepository,
        postings: PostingRepository,
        open_grader: OpenGrader | None = None,
    ) -> None:
        self._bank = bank
        self._answers = answers
        self._postings = postings
        self.open_grader = open_grader
        self._queue: asyncio.Queue[tuple[int, int] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def grade(self, question: Question, answer: StoredAnswer) -> Grade:
        if question.kind is Kind.CHOICE:
            return grade_choice(question, answer.choice_index or 0)
        text = answer.text or ""
        if self.open_grader is not None:
            try:
                return await self.open_grader.grade(question, text)
            except InterviewerUnavailableError:
                log.warning("LLM grader unavailable; grading %s offline", question.id)
        return grade_open_offline(question, text)

    async def grade_and_store(self, posting_id: int, user_id: int) -> Grade | None:
        posting = await self._postings.get(posting_id)
        answer = await self._answers.get(posting_id, user_id)
        if posting is None or answer is None or not answer.needs_grading:
            return None
        question = self._bank.get(posting.question_id)
        if question is None:
            return None
        grade = await self.grade(question, answer)
        await self._answers.save_grade(answer.id, answer.revision, grade)
        return grade

    async def grade_pending(self, posting_id: int) -> None:
        """Grade every answer of a posting that lacks a current grade (before a reveal)."""
        for answer in await self._answers.for_posting(posting_id):
            if answer.needs_grading:
                await self.grade_and_store(posting_id, answer.user_id)

    # --- background worker -------------------------------------------------------

    async def on_committed(self, batch: list[tuple[AnswerSubmission, SubmitReceipt]]) -> None:
        """AnswerWriter listener: queue newly recorded answers for grading."""
        for submission, receipt in batch:
            if receipt.outcome is SubmitOutcome.RECORDED:
                self._queue.put_nowait((submission.posting_id, submission.user_id))

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="grading-worker")

    async def stop(self, timeout: float = 10) -> None:  # noqa: ASYNC109
        """Finish the answer being graded (never abandon a half-written grade), then stop.

        Answers still queued keep ``needs_grading`` and are graded at the reveal.
        """
        if self._task is None:
            return
        task, self._task = self._task, None
        self._stopping = True
        self._queue.put_nowait(None)
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def idle(self) -> None:
        """Wait until everything queued so far is graded (tests, shutdown)."""
        await self._queue.join()

    async def _run(self) -> None:
        while not self._stopping:
            item = await self._queue.get()
            if item is None:
                self._queue.task_done()
                return
            posting_id, user_id = item
            try:
                await self.grade_and_store(posting_id, user_id)
            except Exception:
                log.exception("Grading an answer to posting %s failed", posting_id)
            finally:
                self._queue.task_done()
