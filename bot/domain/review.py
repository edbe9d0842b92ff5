"""Spaced repetition: a card per member per question, scheduled by FSRS.

Every graded daily answer is a card's first review; ``/review`` serves due cards
and each graded review reschedules its card. The rating comes from the grade:

- wrong (credit < 0.35) → Again; partial (< 0.85) → Hard; right → Good;
- fully right (credit 1.0) *and* marked "sure" → Easy.

The scheduler runs without minute-long learning steps: the group works on a daily
rhythm, so every rating schedules whole days, and a card answered wrong today is
due again tomorrow. Fuzzing is off, so the same history gives the same due date.

A card's ``card_json`` holds the FSRS state plus what the group's statistics need
from reviews (there is no review table): the count and credit of reviews done in
``/review`` (the daily answer is not counted again), and the last few entries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from fsrs import Card, Rating, Scheduler

from bot.domain.models import Confidence
from bot.domain.progress import RIGHT_AT, WRONG_BELOW

LOG_KEEP = 20
SEEN_KEEP = 50


class CardSource:
    ANSWER = "answer"
    DEBRIEF = "debrief"


def rating_for(credit: float, confidence: Confidence | None = None) -> Rating:
    """The FSRS rating a grade earns (see the module docstring)."""
    if credit < WRONG_BELOW:
        return Rating.Again
    if credit < RIGHT_AT:
        return Rating.Hard
    if credit >= 0.999 and confidence is Confidence.SURE:
        return Rating.Easy
    return Rating.Good


def default_scheduler() -> Scheduler:
    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


@dataclass(frozen=True)
class ReviewEntry:
    at: datetime
    rating: int
    credit: float
    kind: str  # "daily" or "review"


@dataclass(frozen=True)
class ReviewCard:
    """One member's card for one question."""

    guild_id: int
    user_id: int
    question_id: str
    source: str
    fsrs: dict[str, Any]  # fsrs.Card.to_dict()
    reviews: int = 0  # graded in /review (daily answers not counted)
    review_credit: float = 0.0
    log: tuple[ReviewEntry, ...] = field(default_factory=tuple)
    seen_postings: tuple[int, ...] = ()  # daily postings already applied (idempotence)

    @property
    def due_at(self) -> datetime:
        return _aware(datetime.fromisoformat(self.fsrs["due"]))

    @property
    def is_new(self) -> bool:
        return self.fsrs.get("last_review") is None


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def new_card(
    guild_id: int, user_id: int, question_id: str, now: datetime, source: str
) -> ReviewCard:
    """A card never reviewed, due at ``now``."""
    card = Card(card_id=1, due=_aware(now))
    return ReviewCard(guild_id, user_id, question_id, source, dict(card.to_dict()))


def apply_review(
    scheduler: Scheduler,
    card: ReviewCard,
    rating: Rating,
    at: datetime,
    credit: float,
    *,
    kind: str,
    posting_id: int | None = None,
) -> ReviewCard:
    """The card after one review at ``at`` (UTC); reviews in /review are counted."""
    fsrs_card = Card.from_dict(card.fsrs)  # type: ignore[arg-type]
    reviewed, _ = scheduler.review_card(fsrs_card, rating, review_datetime=_aware(at))
    entry = ReviewEntry(_aware(at), int(rating), credit, kind)
    counted = kind == "review"
    seen = card.seen_postings
    if posting_id is not None:
        seen = (*seen, posting_id)[-SEEN_KEEP:]
    return replace(
        card,
        fsrs=dict(reviewed.to_dict()),
        reviews=card.reviews + counted,
        review_credit=card.review_credit + (credit if counted else 0.0),
        log=(*card.log, entry)[-LOG_KEEP:],
        seen_postings=seen,
    )


def encode_card(card: ReviewCard) -> str:
    return json.dumps(
        {
            "fsrs": card.fsrs,
            "reviews": card.reviews,
            "review_credit": round(card.review_credit, 4),
            "log": [
                {"at": e.at.isoformat(), "rating": e.rating, "credit": e.credit, "kind": e.kind}
                for e in card.log
            ],
            "postings": list(card.seen_postings),
        },
        sort_keys=True,
    )


def decode_card(
    guild_id: int, user_id: int, question_id: str, source: str, text: str
) -> ReviewCard:
    data = json.loads(text)
    log = tuple(
        ReviewEntry(_aware(datetime.fromisoformat(e["at"])), e["rating"], e["credit"], e["kind"])
        for e in data.get("log", [])
    )
    return ReviewCard(
        guild_id=guild_id,
        user_id=user_id,
        question_id=question_id,
        source=source,
        fsrs=data["fsrs"],
        reviews=int(data.get("reviews", 0)),
        review_credit=float(data.get("review_credit", 0.0)),
        log=log,
        seen_postings=tuple(data.get("postings", [])),
    )
