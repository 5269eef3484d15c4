"""Review rules: FSRS ratings from the grader, cards through simulated days, local days."""

import datetime as dt
import sqlite3
import zipfile

import pytest
from fsrs import Rating

from skills.anki import AnkiNote, stable_id, write_deck
from skills.quiz.bank import Question
from skills.quiz.grading import expected_answer
from skills.review import (
    Result,
    asked_card,
    horizon,
    is_miss,
    local_date,
    rating_for,
    reminder_allowed,
    review,
    zone,
)

DAY = 86_400.0
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC).timestamp()  # a Monday, 10:00 UTC
TUESDAY = dt.datetime(2026, 3, 3, tzinfo=dt.UTC).timestamp()


@pytest.mark.parametrize(
    ("credit", "seconds", "kind", "rating"),
    [
        (0.0, 3, "choice", Rating.Again),
        (0.5, 3, "free", Rating.Hard),
        (1.0, 25, "choice", Rating.Good),
        (1.0, 4, "choice", Rating.Easy),
        (1.0, 30, "free", Rating.Easy),  # writing a sentence takes longer
        (1.0, None, "choice", Rating.Good),  # unknown answer time: no bonus
    ],
)
def test_grader_credit_and_answer_time_map_to_fsrs_ratings(credit, seconds, kind, rating):
    assert rating_for(credit, seconds, kind) == rating


def test_a_miss_is_anything_short_of_full_credit():
    assert [is_miss(c) for c in (0.0, 0.5, 1.0)] == [True, True, False]
    assert [Result.of(c).name for c in (0.0, 0.5, 1.0)] == ["WRONG", "PARTIAL", "CORRECT"]


def test_a_question_answered_right_the_first_time_gets_no_card():
    assert review(None, "q", Rating.Good, START) is None
    assert review(None, "q", Rating.Easy, START) is None


def test_a_missed_question_comes_back_and_a_mastered_one_goes_further_out():
    card = review(None, "q", Rating.Again, START)
    assert card is not None and card.misses == 1 and card.origin == "quiz"
    assert card.due == TUESDAY  # missed today: back tomorrow (from midnight)
    now, gaps = card.due, []
    for _ in range(4):  # right every time it comes back
        card = review(card, "q", Rating.Good, now)
        gaps.append(round((card.due - now) / DAY))
        now = card.due
    assert gaps == sorted(gaps) and gaps[-1] > gaps[0] >= 2
    assert card.reviews == 5 and card.misses == 1
    card = review(card, "q", Rating.Again, now)  # forgotten after all
    assert card.due - now == DAY and card.misses == 2 and card.last_rating == Rating.Again


def test_reviews_count_in_local_days_not_24_hour_periods():
    missed = review(None, "q", Rating.Again, START)
    early_next_morning = TUESDAY + 7 * 3600  # less than 24 hours after the miss
    card = review(missed, "q", Rating.Good, early_next_morning)
    assert card.due - TUESDAY >= 2 * DAY  # a day later for FSRS, not a same-day repeat
    paris = review(None, "q", Rating.Again, START, tz="Europe/Paris")
    assert paris.due == dt.datetime(2026, 3, 2, 23, tzinfo=dt.UTC).timestamp()  # local midnight


def test_easy_spaces_further_than_good_and_hard_less():
    missed = review(None, "q", Rating.Again, START)
    later = missed.due
    dues = {r: review(missed, "q", r, later).due for r in (Rating.Hard, Rating.Good, Rating.Easy)}
    assert dues[Rating.Hard] < dues[Rating.Good] < dues[Rating.Easy]


def test_a_card_asked_for_is_due_at_once_and_stored_as_plain_data():
    card = asked_card("q", START)
    assert card.due == START and card.origin == "asked" and card.misses == 0
    reviewed = review(card, "q", Rating.Good, START)
    assert reviewed.due > START and isinstance(reviewed.fsrs["due"], str)


def test_days_follow_the_class_time_zone():
    late_evening = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC).timestamp()
    assert local_date(late_evening, "UTC") == "2026-03-02"
    assert local_date(late_evening, "Europe/Paris") == "2026-03-03"  # already tomorrow there
    span = horizon(late_evening, "Europe/Paris")
    assert span.today == "2026-03-03"
    assert span.end_of_today == dt.datetime(2026, 3, 3, 23, tzinfo=dt.UTC).timestamp()
    # The week spans a daylight-saving change (29 March): days are calendar days.
    spring = horizon(dt.datetime(2026, 3, 27, 12, tzinfo=dt.UTC).timestamp(), "Europe/Paris")
    assert spring.end_of_week == dt.datetime(2026, 4, 2, 22, tzinfo=dt.UTC).timestamp()


def test_reminders_wait_for_the_hour_and_come_once_a_day():
    seven = dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC).timestamp()
    assert not reminder_allowed(seven, "UTC", 8, None)
    assert reminder_allowed(seven + 3600, "UTC", 8, None)
    assert not reminder_allowed(seven + 3600, "UTC", 8, "2026-03-02")
    assert reminder_allowed(seven + DAY + 3600, "UTC", 8, "2026-03-02")


def test_unknown_time_zone_says_what_to_write():
    with pytest.raises(ValueError, match="IANA name"):
        zone("Mars/Olympus")


def test_expected_answer_is_the_graders_wording():
    choice = Question("c", 1, "choice", ("attention",), "?", choices=("a", "b"), answer=1)
    numeric = Question("n", 4, "numeric", ("epochs-batches-steps",), "?", answer=1000, unit="steps")
    live = Question("l", 3, "live", ("tokenization",), "?")
    assert expected_answer(choice) == "B) b"
    assert expected_answer(numeric) == "1,000 steps"
    assert expected_answer(live, 4.0) == "4"
    with pytest.raises(ValueError):
        expected_answer(live)


def test_anki_deck_opens_and_holds_the_notes(tmp_path):
    notes = [
        AnkiNote("tok-1", "How many <tokens>?\nA) 1", "A) 1", "Tokenization", "why", "src", ("x",)),
        AnkiNote("lora-2", "What is r?", "the rank", tags=("concept::lora-and-peft",)),
    ]
    path = tmp_path / "deck.apkg"
    assert write_deck("console/ana", "Deck", notes, path, START) == 2
    with zipfile.ZipFile(path) as archive:
        assert "collection.anki2" in archive.namelist()
        archive.extract("collection.anki2", tmp_path)
    db = sqlite3.connect(tmp_path / "collection.anki2")
    rows = db.execute("SELECT flds, tags, guid FROM notes ORDER BY id").fetchall()
    db.close()
    fields = [r[0].split("\x1f") for r in rows]
    assert fields[0][:2] == ["How many &lt;tokens&gt;?<br>A) 1", "A) 1"]
    assert fields[1][1] == "the rank" and "concept::lora-and-peft" in rows[1][1]
    again = tmp_path / "again.apkg"
    write_deck("console/ana", "Deck", notes, again, START + DAY)
    with zipfile.ZipFile(again) as archive:
        archive.extract("collection.anki2", tmp_path / "again")
    db = sqlite3.connect(tmp_path / "again" / "collection.anki2")
    guids = [r[0] for r in db.execute("SELECT guid FROM notes ORDER BY id")]
    db.close()
    assert guids == [r[2] for r in rows]  # re-importing updates notes instead of duplicating
    assert stable_id("deck/console/ana") == stable_id("deck/console/ana") < 2**31
