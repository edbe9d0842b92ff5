"""The fixed texts the bot posts in mock threads."""

from __future__ import annotations

OTHERS_NOTICE = (
    "This thread is someone's mock interview, so I only answer the candidate here. "
    "You're welcome to start your own with `/mock start`."
)
ATTACHMENT_NOTE = (
    "I can't read attachments in a mock, so I've ignored that file. "
    "Paste the text or code as a message instead."
)
CONTROLS = (
    "**{round} mock** · {minutes} min · {mode} mode\n"
    "Answer in this thread; several messages in a row are read as one answer. "
    "Press **Hint** when stuck (hints cost a few points) and **End interview** for your debrief."
)
