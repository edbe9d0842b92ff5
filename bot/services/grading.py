"""Grading answers after they are acknowledged, off the interaction's hot path.

Choice answers are graded exactly; open answers by the configured grader (Claude
when a key is set) with the offline concept matcher as the fallback, so a
grading outage never blocks a reveal. Grades are stored against the answer's
revision: an answer changed while it was being graded is graded again.

The background worker grades in batches and writes each batch's grades in one
transaction: at 09:00 a grade per transaction would compete with the answer
writer for SQLite's single write lock and slow every acknowledgement.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict

from bot.domain.bank import QuestionBank
from bot.domain.errors import InterviewerUnavailableError
from bot.domain.grading import Grade, grade_choice, grade_open_offline
from bot.domain.models import AnswerSubmission, StoredAnswer, SubmitOutcome, SubmitReceipt
from bot.domain.ports import AnswerRepository, OpenGrader, PostingRepository
from bot.domain.questions import Kind, Question

log = logging.getLogger(__name__)

MAX_BATCH = 1024


class GradingService:
    def __init__(
        self,
        bank: QuestionBank,
        answers: AnswerRepository,
        postings: PostingRepository,
        open_grader: OpenGrader | None = None,
        *,
        settle_seconds: float = 1.0,
    ) -> None:
        self._bank = bank
        self._answers = answers
        self._postings = postings
        self.open_grader = open_grader
        self._queue: asyncio.Queue[tuple[int, int] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._stop_requested = asyncio.Event()
        self._settle_seconds = settle_seconds

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

    async def grade_pending(self, posting_id: int, user_ids: set[int] | None = None) -> None:
        """Grade a posting's answers that lack a current grade; one write for all.

        ``user_ids`` limits it to those members (the worker's batch); None grades
        everyone (before a reveal).
        """
        posting = await self._postings.get(posting_id)
        question = self._bank.get(posting.question_id) if posting else None
        if question is None:
            return
        pending = [
            answer
            for answer in await self._answers.for_posting(posting_id)
            if answer.needs_grading and (user_ids is None or answer.user_id in user_ids)
        ]
        grades = [(answer, await self.grade(question, answer)) for answer in pending]
        if grades:
            await self._answers.save_grades(
                [(answer.id, answer.revision, grade) for answer, grade in grades]
            )

    # --- background worker -------------------------------------------------------

    async def on_committed(self, batch: list[tuple[AnswerSubmission, SubmitReceipt]]) -> None:
        """AnswerWriter listener: queue newly recorded answers for grading."""
        for submission, receipt in batch:
            if receipt.outcome is SubmitOutcome.RECORDED:
                self._queue.put_nowait((submission.posting_id, submission.user_id))

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="grading-worker")

    async def stop(self, timeout: float = 10) -> None:  # noqa: ASYNC109
        """Finish the batch being graded (never abandon a half-written grade), then stop.

        Answers still queued keep ``needs_grading`` and are graded at the reveal.
        """
        if self._task is None:
            return
        task, self._task = self._task, None
        self._stopping = True
        self._stop_requested.set()
        self._queue.put_nowait(None)
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def idle(self) -> None:
        """Wait until everything queued so far is graded (tests, shutdown)."""
        await self._queue.join()

    def _take_batch(self, first: tuple[int, int]) -> dict[int, set[int]]:
        by_posting: dict[int, set[int]] = defaultdict(set)
        by_posting[first[0]].add(first[1])
        taken = 1
        while taken < MAX_BATCH and not self._queue.empty():
            item = self._queue.get_nowait()
            taken += 1
            if item is None:
                self._stopping = True
                break
            by_posting[item[0]].add(item[1])
        return by_posting

    async def _run(self) -> None:
        while not self._stopping:
            first = await self._queue.get()
            if first is None:
                self._queue.task_done()
                return
            # Let a burst of clicks finish first: one grading write after the
            # burst instead of many during it, when the answer writer needs the lock.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop_requested.wait(), self._settle_seconds)
            batch = self._take_batch(first)
            try:
                for posting_id, user_ids in batch.items():
                    await self.grade_pending(posting_id, user_ids)
            except Exception:
                log.exception("Grading a batch of answers failed")
            finally:
                for _ in range(sum(len(users) for users in batch.values())):
                    self._queue.task_done()
