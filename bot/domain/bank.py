"""The question bank as a whole: lookups and the checks that span files."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.domain.questions import Question, Round, Track
from bot.domain.taxonomy import Taxonomy


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, located as precisely as we can."""

    source: str
    question_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.question_id:
            where += f" [{self.question_id}]"
        if self.field:
            where += f" {self.field}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class QuestionBank:
    """Every question, indexed by id, with the taxonomy it was checked against."""

    taxonomy: Taxonomy
    questions: tuple[Question, ...]
    by_id: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {q.id: q for q in self.questions})

    def get(self, question_id: str) -> Question | None:
        return self.by_id.get(question_id)

    def eligible(
        self, rounds: Iterable[Round] | None = None, tracks: Iterable[Track] | None = None
    ) -> list[Question]:
        """Questions of the given rounds; specialization only for the given tracks."""
        round_set = set(rounds) if rounds is not None else set(Round)
        track_set = set(tracks) if tracks is not None else set(Track)
        return [
            q
            for q in self.questions
            if q.round in round_set and (q.track is None or q.track in track_set)
        ]

    def stats(self) -> dict[str, object]:
        """Counts by round, track, topic, kind and difficulty (for `bank stats`)."""

        def count(values: Iterable[object]) -> dict[str, int]:
            return dict(sorted(Counter(str(v) for v in values).items()))

        qs = self.questions
        return {
            "total": len(qs),
            "by_round": count(q.round for q in qs),
            "by_track": count(q.track for q in qs if q.track),
            "by_topic": count(q.topic for q in qs),
            "by_kind": count(q.kind for q in qs),
            "by_difficulty": count(q.difficulty for q in qs),
        }


def cross_check(taxonomy: Taxonomy, questions: Sequence[tuple[str, Question]]) -> list[Problem]:
    """Checks no single question can make: unique ids and topics in the right place.

    ``questions`` pairs each question with the file it came from.
    """
    problems: list[Problem] = []
    topics = {topic.id: topic for topic in taxonomy.topics()}
    seen: dict[str, str] = {}
    for source, question in questions:
        if question.id in seen:
            problems.append(
                Problem(source, question.id, "id", f"duplicate id, also in {seen[question.id]}")
            )
        seen.setdefault(question.id, source)
        topic = topics.get(question.topic)
        if topic is None:
            problems.append(Problem(source, question.id, "topic", "not in taxonomy.yaml"))
        elif (topic.round, topic.track) != (question.round, question.track):
            where = topic.round.value + (f"/{topic.track.value}" if topic.track else "")
            problems.append(
                Problem(source, question.id, "topic", f"belongs to {where} in taxonomy.yaml")
            )
    return problems
