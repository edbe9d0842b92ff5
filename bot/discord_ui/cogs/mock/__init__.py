"""``/mock``: a mock interview in its own thread, streamed, with hints, timers and a debrief.

The :class:`MockRunner` owns what happens in mock threads: it collects the
candidate's messages (a short debounce joins a burst into one answer), runs
one interviewer turn at a time per thread through a :class:`StreamRenderer`,
and posts the debrief and archives the thread at the end. It keeps only
caches: after a restart a thread is found again from the database the first
time its candidate writes in it, and the clock counts from the stored start.

The package is split by job: ``_notices`` (the texts posted in threads),
``_threads`` (creating and archiving Discord threads), ``_turns`` (the per-thread
state and streaming one turn), ``_runner`` (:class:`MockRunner`) and ``_cog``
(the ``/mock`` commands and :func:`mock_components`).
"""

from bot.discord_ui.cogs.mock._cog import MODES, ROUNDS, TRACKS, MockCog, mock_components
from bot.discord_ui.cogs.mock._notices import ATTACHMENT_NOTE, CONTROLS, OTHERS_NOTICE
from bot.discord_ui.cogs.mock._runner import MockRunner
from bot.discord_ui.cogs.mock._turns import Stream

__all__ = [
    "ATTACHMENT_NOTE",
    "CONTROLS",
    "MODES",
    "OTHERS_NOTICE",
    "ROUNDS",
    "TRACKS",
    "MockCog",
    "MockRunner",
    "Stream",
    "mock_components",
]
