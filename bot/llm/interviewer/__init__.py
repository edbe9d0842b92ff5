"""Claude as the mock interviewer: streamed turns and a debrief by forced tool use.

The system prompt (protocol, the round's page, its topics and sample questions
from the bank) is the same for every turn of a session, so it is cached. What
changes each turn, the clock and the stage, goes into the newest user turn as a
bracketed note. The candidate's words only ever travel as user content, inside
``<candidate_message>`` tags that candidate text cannot open or close. Every SDK
failure, including an ``error`` event in the middle of a stream, leaves here as
:class:`InterviewerUnavailableError`.

Layout: ``_prompts`` (loading the prompt files, cleaning candidate text and
turning the transcript into messages) and ``_interviewer``
(:class:`ClaudeInterviewer`: the calls, the debrief tool and usage accounting).
"""

from bot.llm.interviewer._interviewer import ClaudeInterviewer
from bot.llm.interviewer._prompts import PROMPTS_DIR, clean_candidate_text, load_prompts

__all__ = ["PROMPTS_DIR", "ClaudeInterviewer", "clean_candidate_text", "load_prompts"]
