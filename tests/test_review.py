"""Spaced repetition: ratings from grades, cards from answers, due dates moved as FSRS says."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fsrs import Card, Rating
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import ClosedError
from bot.domain.models import Confidence
from bot.domain.review import (
    apply_review,
    decode_card,
    default_scheduler,
    encode_card,
    new_card,
    rating_for,
)
from bot.store.review_cards import SqlReviewCardRepository
from tests.test_progress_store import (
    ALICE,
    GUILD,
    HISTORY,
    NOW,
    FixedClock,
    answered_at,
    build_services,
    seed_history,
)
from tests.test_progress_store import DAYS as QUESTIONS


@pytest.mark.parametrize(
    ("credit", "confidence", "rating"),
    [
        (0.0, Confidence.SURE, Rating.Again),
        (0.34, None, Rating.Again),
        (0.35, None, Rating.Hard),
        (0.84, Confidence.SURE, Rating.Hard),
        (0.85, Confidence.SURE, Rating.Good),
        (1.0, Confidence.UNSURE, Rating.Good),
        (1.0, None, Rating.Good),
        (1.0, Confidence.SURE, Rating.Easy),
    ],
)
def test_rating_from_the_grade(credit, confidence, rating):
    assert rating_for(credit, confidence) is rating


@given(st.floats(0, 1), st.floats(0, 1))
def test_a_better_grade_never_rates_lower(a, b):
    low, high = sorted((a, b))
    assert rating_for(low) <= rating_for(high)


def test_a_card_survives_its_json_round_trip():
    card = new_card(1, 2, "mlf-001", NOW, "answer")
    card = apply_review(default_scheduler(), card, Rating.Good, NOW, 1.0, kind="review")
    again = decode_card(1, 2, "mlf-001", "answer", encode_card(card))
    assert again == card and again.reviews == 1 and again.review_credit == 1.0


def fsrs_due(rating, at):
    card = Card(card_id=1, due=at)
    reviewed, _ = default_scheduler().review_card(card, rating, review_datetime=at)
    return reviewed


async def test_every_daily_answer_becomes_a_card_scheduled_by_fsrs(engine, bank):
    await seed_history(engine)
    _, _, review = build_services(engine, bank)

    status = await review.status(GUILD, ALICE)

    cards = {card.question_id: card for card in status.cards}
    assert len(cards) == len(HISTORY[ALICE])
    due = 0
    for day, (credit, _points, confidence) in HISTORY[ALICE].items():
        sure = Confidence(confidence) if confidence else None
        expected = fsrs_due(rating_for(credit, sure), answered_at(day))
        assert cards[QUESTIONS[day][0]].due_at == expected.due
        due += expected.due <= NOW
    assert status.due == due
    assert await review.sync_member(GUILD, ALICE) == 0  # idempotent


async def test_a_review_session_moves_the_due_date_as_fsrs_says(engine, bank):
    await seed_history(engine)
    clock = FixedClock(NOW + timedelta(days=30))
    progress, _, review = build_services(engine, bank, clock)

    item = await review.next_card(GUILD, ALICE)
    assert item is not None
    before = Card.from_dict(item.card.fsrs)
    question = item.question
    right = question.correct_index if question.kind == "choice" else None
    if right is None:
        result = await review.answer_open(GUILD, ALICE, question.id, "no idea at all really")
    else:
        result = await review.answer_choice(GUILD, ALICE, question.id, right)

    expected, _ = default_scheduler().review_card(
        before, Rating(result.rating), review_datetime=clock.now()
    )
    stored = await SqlReviewCardRepository(engine).get(GUILD, ALICE, question.id)
    assert stored is not None and stored.due_at == expected.due == result.next_due
    assert stored.due_at > clock.now() and stored.reviews == 1
    with pytest.raises(ClosedError):
        await review.answer_choice(GUILD, ALICE, question.id, 0)
    # The review counts towards accuracy, not points.
    p = await progress.progress(GUILD, ALICE, ALICE)
    assert p.reviews == 1 and p.points == 95.0
    assert p.overall.answered == 9


async def test_a_scored_posting_reviews_its_cards_once(engine, bank):
    await seed_history(engine)
    _, _, review = build_services(engine, bank)
    assert await review.add_posting(1) == 4  # alice, bob, carol, dave answered day 1
    assert await review.add_posting(1) == 0
    card = await SqlReviewCardRepository(engine).get(GUILD, ALICE, "mlf-001")
    assert card is not None and len(card.log) == 1 and card.reviews == 0


async def test_debrief_topics_add_that_topics_questions(engine, bank):
    await seed_history(engine)
    _, _, review = build_services(engine, bank)
    await review.sync_member(GUILD, ALICE)
    cnn_questions = {q.id for q in bank.questions if q.topic == "cnns"}

    added = await review.add_topics(GUILD, ALICE, ["cnns"])

    assert added == len(cnn_questions) - 2  # alice already had dl-001 and dl-003
    cards = await SqlReviewCardRepository(engine).for_member(GUILD, ALICE)
    assert cnn_questions <= {card.question_id for card in cards}
    assert await review.add_topics(GUILD, ALICE, ["cnns"]) == 0
