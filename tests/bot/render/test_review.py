"""What a student reads in spaced review, from bot/render/review.py: the question served,
its verdict (with the concept's card after a miss), what is due, the end of a run, and the
reminder."""

from bot.app.reviews import DueItem, Reminder, ReviewOutcome, ReviewQuestion, ReviewStatus
from bot.render.review import (
    render_concept_card,
    render_reminder,
    render_review_done,
    render_review_outcome,
    render_review_question,
    render_review_status,
)
from knowledge.cards import Card
from skills.quiz.bank import Question
from skills.quiz.grading import Grade

CHOICE = Question(
    "tok-1",
    1,
    "choice",
    ("tokens",),
    "Which tokenizer does BERT use?",
    choices=("BPE", "WordPiece", "Unigram"),
    answer=1,
    explanation="BERT's vocabulary was built with WordPiece.",
)
FREE = Question(
    "mask-1", 2, "free", ("masks",), "What does the attention mask do?", reference="Hides padding."
)


CARD = Card(
    "tokens",
    "Tokens and tokenizers",
    1,
    "A token is a piece of text.",
    ("Models read ids, not words.", "Vocabularies are fixed."),
    ("A token is not always a word.",),
)


def test_a_review_question_says_how_many_are_due_and_past_misses():
    served = ReviewQuestion(CHOICE, 3, 2)
    assert render_review_question(served).splitlines() == [
        "Review (3 due today; missed 2 times): Which tokenizer does BERT use?",
        "  A) BPE",
        "  B) WordPiece",
        "  C) Unigram",
        "Answer with a letter.",
    ]
    assert render_review_question(ReviewQuestion(FREE, 1, 1)).splitlines() == [
        "Review (1 due today; missed once): What does the attention mask do?",
        "Answer in a sentence.",
    ]
    assert render_review_question(ReviewQuestion(FREE, 1, 0)).startswith(
        "Review (1 due today): What"
    )


def outcome(question, credit, card=None) -> ReviewOutcome:
    grade = Grade(credit, "It hides the padding tokens.", "It hides padding from attention.")
    return ReviewOutcome(question, "it masks", grade, "good", "2026-12-09", card, None)


def test_a_missed_free_answer_shows_a_full_answer_and_the_card():
    assert render_review_outcome(outcome(FREE, 0.0, CARD)).splitlines() == [
        "Missed. It hides the padding tokens.",
        "  A full answer: It hides padding from attention.",
        "  Next review of this question: 2026-12-09.",
        "",
        "Read the card: Tokens and tokenizers",
        "A token is a piece of text.",
        "Key points:",
        "  • Models read ids, not words.",
        "  • Vocabularies are fixed.",
        "Common mistakes:",
        "  • A token is not always a word.",
    ]


def test_a_right_or_partly_right_review_answer():
    assert render_review_outcome(outcome(CHOICE, 1.0)).splitlines() == [
        "Right. It hides the padding tokens.",
        "  Why: BERT's vocabulary was built with WordPiece.",
        "  Next review of this question: 2026-12-09.",
    ]
    assert render_review_outcome(outcome(FREE, 0.5)).splitlines()[:2] == [
        "Partly right. It hides the padding tokens.",
        "  A full answer: It hides padding from attention.",
    ]


def test_a_card_without_common_mistakes_has_no_such_heading():
    bare = Card("x", "X", None, "Text.", ("One point.",), ())
    assert render_concept_card(bare) == "Read the card: X\nText.\nKey points:\n  • One point."


def due(prompt, when="2026-12-04", concepts=("Tokens",)) -> DueItem:
    return DueItem("q", prompt, list(concepts), when, 0)


def test_the_review_status_of_today_this_week_and_later():
    status = ReviewStatus(
        "2026-12-04",
        "Europe/Lisbon",
        [due("Which tokenizer does BERT use?", concepts=("Tokens", "WordPiece"))],
        [due("What does the mask do?", "2026-12-06", ("Attention masks",))],
        4,
        6,
        "2026-12-04",
        True,
    )
    assert render_review_status(status).splitlines() == [
        "Due today (2026-12-04): 1",
        "  • Tokens, WordPiece: Which tokenizer does BERT use?",
        "Later this week: 1",
        "  • 2026-12-06  Attention masks: What does the mask do?",
        "Further out: 4",
        "Reminders: on: a private message on days with reviews due (time zone Europe/Lisbon).",
    ]


def test_nothing_due_today_names_the_next_day():
    status = ReviewStatus("2026-12-04", "UTC", [], [], 2, 2, "2026-12-20", False)
    assert render_review_status(status).splitlines() == [
        "Due today (2026-12-04): 0",
        "Later this week: 0",
        "Further out: 2",
        "Next review: 2026-12-20.",
        "Reminders: off (time zone UTC).",
    ]
    empty = ReviewStatus("2026-12-04", "UTC", [], [], 0, 0, None, False)
    assert render_review_status(empty).startswith("Nothing to review: questions you miss")


def test_the_end_of_a_review_run():
    later = ReviewStatus("2026-12-04", "UTC", [], [], 1, 1, "2026-12-09", False)
    assert render_review_done(3, later) == "Done for today: 3 reviewed. Next review: 2026-12-09."
    assert render_review_done(0, later) == "Nothing due for review today. Next review: 2026-12-09."
    assert render_review_done(None, later) == (
        "That was the last question due today. Next review: 2026-12-09."
    )
    none_left = ReviewStatus("2026-12-04", "UTC", [], [], 0, 0, None, False)
    assert render_review_done(2, none_left) == "Done for today: 2 reviewed."
    stopped = ReviewStatus("2026-12-04", "UTC", [due("a"), due("b")], [], 0, 2, "2026-12-04", False)
    assert render_review_done(1, stopped) == (
        "Stopped with 2 still due today; /review picks up where you left off."
    )


def test_a_reminder_counts_its_questions_and_says_where():
    assert render_reminder(Reminder("morning", "ana", "Ana", 1), "Morning class") == (
        "You have 1 quiz question to review today in Morning class. Start with /review start; "
        "/review remind off stops these reminders."
    )
    assert render_reminder(Reminder("morning", "ana", "Ana", 3)).startswith(
        "You have 3 quiz questions to review today. Start"
    )


def test_a_numeric_review_question_gives_its_unit():
    numeric = Question("n", 1, "numeric", ("lora",), "How many?", unit="params")
    assert render_review_question(ReviewQuestion(numeric, 12, 1)).splitlines() == [
        "Review (12 due today; missed once): How many?",
        "Answer with a number. (unit: params)",
    ]


def test_a_missed_choice_answer_shows_no_full_answer_but_the_card():
    lines = render_review_outcome(outcome(CHOICE, 0.0, CARD)).splitlines()
    assert lines[:4] == [
        "Missed. It hides the padding tokens.",
        "  Why: BERT's vocabulary was built with WordPiece.",
        "  Next review of this question: 2026-12-09.",
        "",
    ]
    assert lines[4] == "Read the card: Tokens and tokenizers"
    assert not any("A full answer" in line for line in lines)


def test_a_free_answer_fully_right_shows_no_full_answer():
    assert render_review_outcome(outcome(FREE, 1.0)).splitlines() == [
        "Right. It hides the padding tokens.",
        "  Next review of this question: 2026-12-09.",
    ]


def test_with_reviews_due_today_the_status_names_no_next_day_and_nothing_further_out():
    status = ReviewStatus(
        "2026-12-04", "UTC", [due("a?"), due("b?")], [], 0, 2, "2026-12-04", False
    )
    assert render_review_status(status).splitlines() == [
        "Due today (2026-12-04): 2",
        "  • Tokens: a?",
        "  • Tokens: b?",
        "Later this week: 0",
        "Reminders: off (time zone UTC).",
    ]


def test_one_review_left_says_one_still_due():
    one = ReviewStatus("2026-12-04", "UTC", [due("a?")], [], 0, 1, "2026-12-04", False)
    assert render_review_done(None, one) == (
        "Stopped with 1 still due today; /review picks up where you left off."
    )
