"""An interviewer that needs no API: questions from the bank, judgement from the rubric.

It keeps no state of its own. Everything it knows is re-read from the stored
transcript on every call (which plan question each interviewer turn asked, the
answers since), and its question plan is a pure function of the seed and the
session id, so it can take over from Claude mid-interview or after a restart.
Follow-ups and the debrief come from :func:`grade_open_offline`: the rubric
points an answer missed are where the interviewer digs next.

Layout: ``_plan`` (the question pool, choice questions asked as open ones, and
the progress read back from the transcript), ``_followups`` (missed rubric
points and what is said about them: probes, hints, feedback, debrief notes),
``_wording`` (the fixed lines: opening, moving on, candidate questions, wrap-up)
and ``_interviewer`` (:class:`OfflineInterviewer`, which decides what comes next).
"""

from bot.llm.offline_interviewer._followups import follow_up_for, missed_points
from bot.llm.offline_interviewer._interviewer import OfflineInterviewer
from bot.llm.offline_interviewer._plan import as_open

__all__ = ["OfflineInterviewer", "as_open", "follow_up_for", "missed_points"]
