"""Claude as rubric grader: per-point judgement through forced tool use.

Claude judges each rubric point and must quote the answer for every point it
credits; Python drops invented quotes (:func:`keep_supported_evidence`) and adds
up the points (:func:`weighted_credit`), so the model does no arithmetic. The
member's text travels inside a tag with a per-call random name, and any answer
that earns full credit or carries instructions is graded a second time against
a deliberately wrong reference (see :func:`wrong_reference`).

Layout: ``_schema`` (the ``record_grade`` tool and validation of its input),
``_prompt`` (the prompt file, the answer's delimiting and the references) and
``_grader`` (:class:`ClaudeGrader`, which puts them together).
"""

from bot.llm.grader._grader import ClaudeGrader
from bot.llm.grader._prompt import wrong_reference

__all__ = ["ClaudeGrader", "wrong_reference"]
