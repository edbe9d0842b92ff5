"""The fixed texts a mock posts into its transcript."""

from __future__ import annotations

OFFLINE_NOTICE = (
    "(The interviewer service is unreachable; the built-in interviewer takes this turn.)"
)
IDLE_NOTICE = "No answer for 15 minutes, so I've closed this mock. Here is your debrief."
BUDGET_NOTICE = (
    "(This server has used today's interviewer budget, so the built-in interviewer "
    "runs this mock until the budget resets tomorrow.)"
)
