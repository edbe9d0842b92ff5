"""The topic taxonomy: which topics each round (and specialization track) covers."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bot.domain.questions import Round, Track


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TopicInfo(_Frozen):
    name: Annotated[str, Field(min_length=3)]
    study: Annotated[str, Field(min_length=10)]


class TrackInfo(_Frozen):
    name: str
    topics: dict[str, TopicInfo]


class RoundInfo(_Frozen):
    name: str
    topics: dict[str, TopicInfo] = {}
    tracks: dict[Track, TrackInfo] = {}


class Topic(_Frozen):
    """A topic with where it sits: its round and, for specialization, its track."""

    id: str
    name: str
    study: str
    round: Round
    track: Track | None


class Taxonomy(_Frozen):
    rounds: dict[Round, RoundInfo]

    def topics(self) -> list[Topic]:
        """Every topic, in file order."""
        found: list[Topic] = []
        for round_, info in self.rounds.items():
            for topic_id, topic in info.topics.items():
                found.append(Topic(id=topic_id, round=round_, track=None, **topic.model_dump()))
            for track, track_info in info.tracks.items():
                for topic_id, topic in track_info.topics.items():
                    found.append(
                        Topic(id=topic_id, round=round_, track=track, **topic.model_dump())
                    )
        return found

    def topic(self, topic_id: str) -> Topic | None:
        return next((topic for topic in self.topics() if topic.id == topic_id), None)

    def round_name(self, round_: Round) -> str:
        return self.rounds[round_].name
