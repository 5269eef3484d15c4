"""Spaced review through the Tutor: quiz answers move cards, reviews over simulated days on a
fake clock, grading like the quiz, reminders once a day (across a restart), the Anki export."""

import datetime as dt
import sqlite3
import zipfile
from types import SimpleNamespace

import pytest

from bot.app.tutor import Tutor
from bot.errors import ReviewError, UsageError
from skills.quiz.grading import grade
from tests.helpers import close_quiz_question, right_answer, who, wrong_answer

DAY = 86_400.0
MONDAY_9AM = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC).timestamp()


@pytest.fixture
def review_tutor(settings, encoder, clock):
    clock.now = MONDAY_9AM
    tutor = Tutor(settings, encoder=encoder, clock=clock)
    yield tutor
    tutor.close()


def question(tutor, question_id):
    return next(q for q in tutor.bank.questions() if q.id == question_id)


def test_a_real_quiz_schedules_the_miss_and_not_the_right_answer(review_tutor, clock):
    opened = review_tutor.quizzes.start(
        who("teacher", instructor=True),
        team=3,
        count=1,
        seconds=30,
        seed=1,
        players=frozenset({"ana", "bo"}),
    )
    clock.now += 5
    review_tutor.quizzes.answer(who("ana"), wrong_answer(opened, review_tutor))
    review_tutor.quizzes.answer(who("bo"), right_answer(opened, review_tutor))
    review_tutor.quizzes.tick()  # both answered: the question closes
    assert review_tutor.reviews.status(who("bo")).cards == 0
    ana = review_tutor.reviews.status(who("ana"))
    assert ana.cards == 1 and ana.due_today == [] and len(ana.due_this_week) == 1
    assert ana.due_this_week[0].question_id == opened.question.id
    assert ana.due_this_week[0].due == "2026-03-03"


def test_several_days_a_miss_comes_back_and_mastery_goes_further_out(review_tutor, clock):
    reviews, ana = review_tutor.reviews, who("ana")
    q = close_quiz_question(review_tutor, clock, "t3-sep", {"ana": 0.0})
    assert reviews.next(ana) is None  # missed this morning: back tomorrow, not today
    right = "ABCDE"[q.answer]
    gaps = []
    for _ in range(4):
        status = reviews.status(ana)
        days = (dt.date.fromisoformat(status.next_due) - dt.date.fromisoformat(status.today)).days
        gaps.append(days)
        clock.now += days * DAY
        served = reviews.next(ana)
        assert served is not None and served.question.id == "t3-sep"
        clock.now += 20  # not quick: a plain "good"
        outcome = reviews.answer(ana, right)
        assert outcome.result.name == "CORRECT" and outcome.rating == "good"
        assert outcome.card is None and outcome.next is None
        assert reviews.next(ana) is None
    assert gaps[0] == 1 and gaps == sorted(gaps) and gaps[-1] > gaps[1]
    # Forgotten after all: it comes back the next day, with the concept's card to read.
    status = reviews.status(ana)
    clock.now += (
        dt.date.fromisoformat(status.next_due) - dt.date.fromisoformat(status.today)
    ).days * DAY
    reviews.next(ana)
    outcome = reviews.answer(ana, wrong_answer(SimpleNamespace(question=q), review_tutor))
    assert outcome.result.name == "WRONG" and outcome.rating == "again"
    assert outcome.card is not None and outcome.card.id == q.concepts[0]
    assert outcome.next_due == dt.datetime.fromtimestamp(clock.now + DAY, dt.UTC).date().isoformat()


def test_reviews_are_graded_like_the_quiz_with_live_keys_computed_again(review_tutor, clock):
    reviews, ana = review_tutor.reviews, who("ana")
    live = close_quiz_question(review_tutor, clock, "t3-live-unhappiness", {"ana": 0.0})
    free = close_quiz_question(review_tutor, clock, "t3-cls", {"ana": 0.5})
    clock.now += DAY
    key = review_tutor.bank.live_key(live)
    for q, text in ((live, f"{key:g} tokens"), (free, "a summary of the whole sequence")):
        served = reviews.next(ana)
        assert served is not None
        outcome = reviews.answer(ana, text, q.id)
        quiz_grade = grade(
            q,
            text,
            similarity=review_tutor.bank.similarity,
            live_key=key if q.kind == "live" else None,
        )
        assert outcome.grade == quiz_grade
    assert reviews.next(ana) is None


def test_the_served_question_is_answered_once(review_tutor, clock):
    reviews, ana = review_tutor.reviews, who("ana")
    close_quiz_question(review_tutor, clock, "t3-sep", {"ana": 0.0})
    with pytest.raises(ReviewError, match="No review question is open"):
        reviews.answer(ana, "A")
    clock.now += DAY
    assert reviews.next(ana).question.id == "t3-sep"
    assert reviews.serving(ana) == "t3-sep"
    with pytest.raises(ReviewError, match="Type an answer"):
        reviews.answer(ana, "   ")
    reviews.answer(ana, "A")
    assert reviews.serving(ana) is None
    with pytest.raises(ReviewError, match="not due"):
        reviews.answer(ana, "A", "t3-sep")  # a second click on the same question


def test_never_missed_questions_only_when_asked_for(review_tutor, clock):
    reviews, ana = review_tutor.reviews, who("ana")
    close_quiz_question(review_tutor, clock, "t3-sep", {"ana": 1.0})
    assert reviews.status(ana).cards == 0
    added = reviews.add(ana, ["t3-sep"], team=5)
    assert added[0].id == "t3-sep" and {q.team for q in added} == {3, 5}
    assert reviews.next(ana).due_today == len(added)  # asked for: due at once
    assert reviews.add(ana, ["t3-sep"]) == []  # a card keeps its schedule
    with pytest.raises(UsageError, match="in the bank"):
        reviews.add(ana, ["no-such-question"])
    with pytest.raises(UsageError):
        reviews.add(ana, [])


def test_reviews_belong_to_one_student_in_one_class(review_tutor, clock):
    close_quiz_question(review_tutor, clock, "t3-sep", {"ana": 0.0}, server="guild-1")
    clock.now += DAY
    assert review_tutor.reviews.next(who("ana", server="guild-1")) is not None
    assert review_tutor.reviews.next(who("ana")) is None  # the console's class is another
    assert review_tutor.reviews.next(who("bo", server="guild-1")) is None
    assert review_tutor.reviews.classes_of("ana") == ["guild-1"]


def test_status_shows_today_and_this_week_in_the_class_time_zone(settings, encoder, clock):
    clock.now = dt.datetime(2026, 3, 2, 22, 30, tzinfo=dt.UTC).timestamp()
    paris = settings.model_copy(update={"class_timezone": "Europe/Paris"})
    tutor = Tutor(paris, encoder=encoder, clock=clock)
    try:
        close_quiz_question(tutor, clock, "t3-sep", {"ana": 0.0})
        status = tutor.reviews.status(who("ana"))
        # 23:30 in Paris on the 2nd: due from midnight on the 3rd, which is "this week".
        assert status.today == "2026-03-02" and status.timezone == "Europe/Paris"
        assert [i.due for i in status.due_this_week] == ["2026-03-03"]
        assert status.due_this_week[0].concepts[0].startswith("Special tokens")
        assert status.to_json()["due_today"] == []
    finally:
        tutor.close()


def test_reminders_only_when_opted_in_once_a_day_even_across_a_restart(settings, encoder, clock):
    clock.now = MONDAY_9AM
    tutor = Tutor(settings, encoder=encoder, clock=clock)
    got = []
    tutor.reviews.subscribe_reminders(got.append)
    for user in ("ana", "bo"):
        close_quiz_question(tutor, clock, "t3-sep", {user: 0.0})
    tutor.reviews.set_reminders(who("ana"), True)
    assert tutor.reviews.send_reminders() == []  # due tomorrow, not today
    clock.now += DAY - 2 * 3600  # Tuesday 07:00: before the reminder hour
    assert tutor.reviews.send_reminders() == []
    clock.now += 2 * 3600
    tutor.reviews.tick()
    assert [(r.user, r.name, r.due_today) for r in got] == [("ana", "ana", 1)]  # bo did not opt in
    clock.now += 3600
    tutor.reviews.tick()
    tutor.reviews.send_reminders()
    assert len(got) == 1
    tutor.close()

    restarted = Tutor(settings, encoder=encoder, clock=clock)
    try:
        again = []
        restarted.reviews.subscribe_reminders(again.append)
        restarted.reviews.tick()
        assert again == []  # the same local day: already reminded
        clock.now += DAY
        restarted.reviews.tick()
        assert [r.user for r in again] == ["ana"]
        restarted.reviews.set_reminders(who("ana"), False)
        clock.now += DAY
        restarted.reviews.tick()
        assert len(again) == 1  # opted out
    finally:
        restarted.close()


def test_reminders_go_only_to_frontends_that_serve_that_class(review_tutor, clock):
    reviews = review_tutor.reviews
    close_quiz_question(review_tutor, clock, "t3-sep", {"ana": 0.0}, server="123")
    reviews.set_reminders(who("ana", server="123"), True)
    console_only = []
    reviews.subscribe_reminders(console_only.append, servers=lambda s: s == "console")
    clock.now += DAY
    assert reviews.send_reminders() == [] and console_only == []
    discord = []
    reviews.subscribe_reminders(discord.append, servers=str.isdigit)
    reviews.send_reminders()
    assert [r.server for r in discord] == ["123"]


def test_export_writes_the_missed_questions_as_an_anki_deck(review_tutor, clock, tmp_path):
    reviews, ana = review_tutor.reviews, who("ana")
    with pytest.raises(ReviewError, match="no missed"):
        reviews.export(ana, tmp_path / "none.apkg")
    close_quiz_question(review_tutor, clock, "t3-sep", {"ana": 0.0})
    close_quiz_question(review_tutor, clock, "t3-live-unhappiness", {"ana": 0.5})
    reviews.add(ana, ["t3-vocab"])  # asked for, never missed: not in the deck
    with pytest.raises(UsageError, match=r"\.apkg"):
        reviews.export(ana, tmp_path / "deck.zip")
    result = reviews.export(ana, tmp_path / "out" / "ana.apkg")
    assert result.notes == 2 and result.to_json()["path"].endswith("ana.apkg")
    with zipfile.ZipFile(result.path) as archive:
        archive.extract("collection.anki2", tmp_path)
    db = sqlite3.connect(tmp_path / "collection.anki2")
    notes = [r[0].split("\x1f") for r in db.execute("SELECT flds FROM notes ORDER BY id")]
    db.close()
    by_answer = {n[1]: n for n in notes}
    key = review_tutor.bank.live_key(question(review_tutor, "t3-live-unhappiness"))
    assert f"{key:g}" in by_answer
    assert any("Special tokens" in n[2] for n in notes)
    assert all("missed once" in n[4] for n in notes)


def test_an_unreadable_review_answer_is_not_a_miss(review_tutor, clock):
    """ "30522" to a multiple-choice question was scored Missed and the card moved, although
    the quiz's own grader says such a line is not an attempt."""
    reviews, ana = review_tutor.reviews, who("ana")
    close_quiz_question(review_tutor, clock, "t3-sep", {"ana": 0.0})
    clock.now += DAY
    assert reviews.next(ana).question.id == "t3-sep"
    with pytest.raises(ReviewError, match="try again"):
        reviews.answer(ana, "30522")
    assert reviews.serving(ana) == "t3-sep"  # still served, nothing recorded
    outcome = reviews.answer(ana, "A")
    assert outcome is not None and reviews.serving(ana) is None
