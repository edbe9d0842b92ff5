"""Group commit for answers: many clicks, one transaction.

At 09:00 hundreds of members click within a second. One transaction per click
would make the database's fsync the bottleneck; instead each submission joins
the batch being assembled, the batch is committed in one transaction, and
every submitter is released only after that commit. A member is therefore
never told "recorded" for an answer that is not on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.domain.models import AnswerSubmission, SubmitReceipt
from bot.domain.ports import AnswerRepository

log = logging.getLogger(__name__)

BatchListener = Callable[[list[tuple[AnswerSubmission, SubmitReceipt]]], Awaitable[None]]


class AnswerWriter:
    """Batches submissions; ``submit`` returns once the answer is committed.

    A batch is flushed as soon as the writer is idle (so a lone click is not
    delayed) or when ``max_batch`` submissions are waiting; while one batch
    commits, the next one fills up.
    """

    def __init__(
        self,
        repository: AnswerRepository,
        *,
        max_batch: int = 128,
        on_committed: BatchListener | None = None,
    ) -> None:
        self._repository = repository
        self._max_batch = max_batch
        self._on_committed = on_committed
        self._pending: list[tuple[AnswerSubmission, asyncio.Future[SubmitReceipt]]] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.batches_committed = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="answer-writer")

    async def stop(self) -> None:
        """Commit what is waiting, then stop."""
        if self._task is None:
            return
        task, self._task = self._task, None
        await self._flush_all()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def submit(self, submission: AnswerSubmission) -> SubmitReceipt:
        """Queue ``submission`` and wait until its batch is committed."""
        if self._task is None:
            raise RuntimeError("AnswerWriter.start() was not called")
        future: asyncio.Future[SubmitReceipt] = asyncio.get_running_loop().create_future()
        self._pending.append((submission, future))
        self._wakeup.set()
        return await future

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            # Let every click already queued on the loop join this batch.
            await asyncio.sleep(0)
            await self._flush_all()

    async def _flush_all(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: len(batch)]
            await self._commit(batch)

    async def _commit(
        self, batch: list[tuple[AnswerSubmission, asyncio.Future[SubmitReceipt]]]
    ) -> None:
        submissions = [submission for submission, _ in batch]
        try:
            receipts = await self._repository.save_batch(submissions)
        except Exception as exc:  # every waiter must hear about the failure
            log.exception("Committing %d answers failed", len(batch))
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        self.batches_committed += 1
        for (_, future), receipt in zip(batch, receipts, strict=True):
            if not future.done():
                future.set_result(receipt)
        if self._on_committed is not None:
            try:
                await self._on_committed(list(zip(submissions, receipts, strict=True)))
            except Exception:
                log.exception("Post-commit listener failed")
