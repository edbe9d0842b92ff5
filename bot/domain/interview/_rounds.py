"""The rounds a mock can cover: each one's opening and its timed phases."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.questions import Round


@dataclass(frozen=True)
class Phase:
    """One stretch of the interview; ``share`` is its part of the total time."""

    name: str
    share: float
    topics: tuple[str, ...] = ()  # taxonomy ids this phase draws on, if any
    core: bool = True  # False for the opening, candidate questions and wrap-up


@dataclass(frozen=True)
class RoundSpec:
    round: Round
    opening: str  # how the interviewer opens this round (guidance, not a script)
    phases: tuple[Phase, ...]
    star: bool = False  # behavioral: answers are probed for situation/task/action/result

    @property
    def core_phases(self) -> tuple[Phase, ...]:
        return tuple(phase for phase in self.phases if phase.core)


def _spec(round_: Round, opening: str, core: list[Phase], star: bool = False) -> RoundSpec:
    """Wrap a round's core phases in the protocol every mock shares.

    Opening 5%, candidate questions 10%, wrap-up 5%: the core phases' shares
    are scaled into the remaining 80% so authors write them as plain weights.
    """
    total = sum(phase.share for phase in core)
    scaled = [Phase(p.name, 0.8 * p.share / total, p.topics) for p in core]
    phases = (
        Phase("opening", 0.05, core=False),
        *scaled,
        Phase("your questions", 0.10, core=False),
        Phase("wrap-up", 0.05, core=False),
    )
    return RoundSpec(round_, opening, phases, star)


ROUND_SPECS: dict[Round, RoundSpec] = {
    spec.round: spec
    for spec in (
        _spec(
            Round.CODING,
            "Agree on the problem and its constraints before any code.",
            [
                Phase("clarify", 1, ("data-structures", "python-language")),
                Phase("approach", 2, ("algorithms", "data-manipulation")),
                Phase("implement", 3, ("numerical-computing", "data-manipulation")),
                Phase("test and complexity", 2, ("algorithms",)),
            ],
        ),
        _spec(
            Round.ML_FUNDAMENTALS,
            "Start from a concrete modelling situation and widen to theory.",
            [
                Phase("algorithms", 3, ("linear-models", "tree-ensembles", "svms", "clustering")),
                Phase("evaluation", 2, ("classification-metrics", "regression-metrics")),
                Phase("generalisation", 2, ("bias-variance", "cross-validation")),
            ],
        ),
        _spec(
            Round.DEEP_LEARNING,
            "Open with an architecture choice, then dig into training it.",
            [
                Phase("architecture", 3, ("cnns", "rnns-transformers", "generative-models")),
                Phase("training", 3, ("optimization", "regularization", "transfer-learning")),
                Phase("scale and debugging", 2, ("distributed-training", "pytorch")),
            ],
        ),
        _spec(
            Round.SYSTEM_DESIGN,
            "Give a product goal and let the candidate drive the requirements.",
            [
                Phase("requirements", 1, ("recommendation-systems", "search-ranking")),
                Phase("data", 2, ("feature-stores", "feature-pipelines", "feature-selection")),
                Phase("model", 2, ("fraud-detection", "nlp-pipelines", "explainability")),
                Phase("evaluation", 1.5, ("deployment", "monitoring", "data-drift")),
                Phase("serving", 1.5, ("online-serving", "batch-serving")),
            ],
        ),
        _spec(
            Round.SPECIALIZATION,
            "Ask which work in the track the candidate knows best, then probe it.",
            [Phase("foundations", 2), Phase("methods", 3), Phase("applied problem", 3)],
        ),
        _spec(
            Round.CASE_STUDY,
            "Hand over a vague business problem and watch how it gets framed.",
            [
                Phase("framing", 2, ("problem-framing",)),
                Phase("data", 2, ("data-exploration",)),
                Phase("modelling", 2, ("modeling-approach",)),
                Phase("evaluation and impact", 2, ("experimentation", "business-impact")),
            ],
        ),
        _spec(
            Round.BEHAVIORAL,
            "Put the candidate at ease, then ask for specific past situations.",
            [
                Phase("leadership", 1, ("project-leadership",)),
                Phase("collaboration", 1, ("collaboration",)),
                Phase("failure and ethics", 1, ("failure-learning", "ethics-bias")),
            ],
            star=True,
        ),
    )
}
