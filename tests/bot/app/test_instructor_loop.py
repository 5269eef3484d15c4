"""The instructor's loop: small talk is not queued, near-duplicates are grouped with a count,
a resolution answers the same question for everyone (in this process and in another one),
and a student's "not what I asked" queues the answer."""

import pytest

from bot.app.tutor import Tutor
from bot.errors import NotAllowed, UsageError
from tests.conftest import CountingEncoder
from tests.helpers import who

TEACHER = who("prof", instructor=True)
HOURS = "when are the office hours for this class"


@pytest.mark.parametrize("text", ["thanks!", "hi", "lol", "ok thanks :)", "👍"])
def test_small_talk_gets_a_friendly_reply_and_is_not_queued(tutor, text):
    reply = tutor.ask.ask(who("ana"), text)
    assert reply.small_talk and reply.question_id is None
    assert reply.answer.answer  # a friendly line
    assert tutor.ask.unanswered("console") == []
    assert (
        tutor.store.run(lambda db: db.execute("SELECT count(*) FROM questions").fetchone()[0]) == 0
    )


def test_near_duplicates_are_grouped_with_a_count(tutor):
    for user, text in [
        ("ana", HOURS),
        ("bo", "When are office hours for this class?"),
        ("cy", "what time are the class office hours"),
        ("di", "can bert read handwriting?"),
    ]:
        assert not tutor.ask.ask(who(user), text).answer.answered
    groups = tutor.ask.unanswered("console")
    assert [g.count for g in groups] == [3, 1]
    assert set(groups[0].askers) == {"ana", "bo", "cy"}
    assert groups[1].question == "can bert read handwriting?"
    data = groups[0].to_json()
    assert data["count"] == 3 and len(data["questions"]) == 3


def test_resolving_with_an_answer_answers_everyone_and_empties_the_queue(tutor):
    tutor.ask.ask(who("ana"), HOURS)
    tutor.ask.ask(who("bo"), "When are office hours for this class?")
    (group,) = tutor.ask.unanswered("console")
    done = tutor.ask.resolve(TEACHER, group.id, answer="Thursdays 2-4 pm in room B214.")
    assert len(done.question_ids) == 2
    assert tutor.ask.unanswered("console") == []
    reply = tutor.ask.ask(who("cy"), "when are the office hours for this class?")
    assert reply.answer.answered and reply.answer.instructor
    assert "Thursdays 2-4 pm in room B214." in reply.answer.answer
    assert reply.answer.sources[0].kind == "note"
    assert reply.answer.sources[0].title.startswith("the instructor's answer")


def test_resolving_with_a_card_points_the_question_at_it(tutor):
    question = "my batches keep getting cut off at 512 what gives"
    first = tutor.ask.ask(who("ana"), question)
    if first.answer.answered:
        tutor.ask.flag(who("ana"))
    (group,) = tutor.ask.unanswered("console")
    tutor.ask.resolve(TEACHER, group.id, card="attention-masks-and-padding")
    reply = tutor.ask.ask(who("bo"), question)
    assert reply.answer.concept == "attention-masks-and-padding"
    assert reply.answer.instructor
    assert "instructor linked this question" in reply.answer.answer


def test_only_the_instructor_resolves_and_mistakes_are_explained(tutor):
    tutor.ask.ask(who("ana"), HOURS)
    (group,) = tutor.ask.unanswered("console")
    with pytest.raises(NotAllowed):
        tutor.ask.resolve(who("ana"), group.id, answer="whenever")
    with pytest.raises(UsageError, match="either a card"):
        tutor.ask.resolve(TEACHER, group.id)
    with pytest.raises(UsageError, match="No card 'nope'"):
        tutor.ask.resolve(TEACHER, group.id, card="nope")
    with pytest.raises(UsageError, match="No question #999"):
        tutor.ask.resolve(TEACHER, 999, answer="x")
    with pytest.raises(UsageError, match="No question"):
        tutor.ask.resolve(who("prof", server="other", instructor=True), group.id, answer="x")


def test_not_what_i_asked_queues_the_answer(tutor):
    reply = tutor.ask.ask(who("ana"), "what is the cls token for?")
    assert reply.answer.answered and tutor.ask.unanswered("console") == []
    flagged = tutor.ask.flag(who("ana"))  # her last question
    assert flagged.queued and flagged.question_id == reply.question_id
    (group,) = tutor.ask.unanswered("console")
    (row,) = group.questions
    assert row.flagged and row.answered_with == "Special tokens ([CLS], [SEP], [PAD], [MASK])"
    assert not tutor.ask.flag(who("ana"), reply.question_id).queued  # already there
    with pytest.raises(NotAllowed):
        tutor.ask.flag(who("bo"), reply.question_id)
    with pytest.raises(UsageError, match="not asked anything"):
        tutor.ask.flag(who("cy"))


def test_a_resolution_reaches_a_running_bot_in_another_process(settings, real_encoder):
    bot = Tutor(settings, encoder=CountingEncoder(real_encoder))
    one_shot = Tutor(settings, encoder=CountingEncoder(real_encoder))
    try:
        assert not bot.ask.ask(who("ana"), HOURS).answer.answered
        (group,) = one_shot.ask.unanswered("console")
        one_shot.ask.resolve(TEACHER, group.id, answer="Thursdays 2-4 pm in room B214.")
        reply = bot.ask.ask(who("bo"), HOURS)
        assert "room B214" in reply.answer.answer
    finally:
        one_shot.close()
        bot.close()


def test_a_restarted_bot_answers_resolved_questions_from_its_first_question(settings, real_encoder):
    first = Tutor(settings, encoder=CountingEncoder(real_encoder))
    try:
        first.ask.ask(who("ana"), HOURS)
        (group,) = first.ask.unanswered("console")
        first.ask.resolve(TEACHER, group.id, answer="Thursdays 2-4 pm in room B214.")
    finally:
        first.close()
    encoder = CountingEncoder(real_encoder)
    restarted = Tutor(settings, encoder=encoder)
    try:
        assert "room B214" in restarted.ask.ask(who("bo"), HOURS).answer.answer
        assert encoder.texts_encoded == 1  # the question; the resolution's vectors were stored
    finally:
        restarted.close()
