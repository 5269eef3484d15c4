"""What a class and a student read in quizzes and reviews: questions, results that name only
who did well, standings, teams, extra time (never named to the class), and spaced review."""

from bot.app.classes import Accommodation
from bot.app.quizzes import ConceptResult, OwnResult, QuestionClosed, QuestionOpened, QuizEnded
from bot.app.results import AskReply, Leaderboard
from bot.app.reviews import DueItem, Reminder, ReviewOutcome, ReviewQuestion, ReviewStatus
from bot.render.text import (
    render_accommodation,
    render_accommodations,
    render_concept_card,
    render_leaderboard,
    render_own_result,
    render_question,
    render_question_closed,
    render_quiz_ended,
    render_quiz_event,
    render_reminder,
    render_review_done,
    render_review_outcome,
    render_review_question,
    render_review_status,
    render_standings,
    render_submit,
    render_teams,
)
from bot.store.enums import QuizStatus
from knowledge.answers import Answer
from knowledge.cards import Card
from skills.quiz.bank import Question
from skills.quiz.grading import Grade
from skills.quiz.session import RecordedAnswer, Standing, SubmitResult

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
NUMERIC = Question(
    "lora-1", 4, "numeric", ("lora",), "How many parameters does rank-8 LoRA add?", unit="params"
)
FREE = Question(
    "mask-1", 2, "free", ("masks",), "What does the attention mask do?", reference="Hides padding."
)


def opened(question: Question, seconds=30.0, open_for=0.0) -> QuestionOpened:
    return QuestionOpened("morning", "quiz", 7, 2, 5, question, seconds, open_for, quiz_number=3)


def test_a_choice_question_lists_its_letters():
    assert render_question(opened(CHOICE)).splitlines() == [
        "Question 2/5 (30 s): Which tokenizer does BERT use?",
        "  A) BPE",
        "  B) WordPiece",
        "  C) Unigram",
        "Answer with a letter.",
    ]


def test_a_numeric_question_gives_its_unit_and_a_free_one_asks_for_a_sentence():
    assert render_question(opened(NUMERIC)).splitlines()[1] == (
        "Answer with a number. (unit: params)"
    )
    plain = Question("n", 1, "numeric", ("x",), "How many?")
    assert render_question(opened(plain)).splitlines()[1] == "Answer with a number."
    assert render_question(opened(FREE)).splitlines()[1] == "Answer in a sentence."


def test_extra_time_is_announced_without_naming_anyone():
    text = render_question(opened(CHOICE, seconds=30.0, open_for=45.0))
    assert text.splitlines()[0] == (
        "Question 2/5 (30 s; with extra time, up to 45 s before the results): "
        "Which tokenizer does BERT use?"
    )


def recorded(user: str, credit: float) -> RecordedAnswer:
    return RecordedAnswer(user, 1, "B", Grade(credit, "graded", "B) WordPiece"), 100, 5.0)


def closed(answers, **changes) -> QuestionClosed:
    names = {"ana": "Ana Lima", "bo": "Bo Chen", "cy": "Cy Diaz"}
    fields = {"expected": "B) WordPiece", "answers": answers, "names": names}
    return QuestionClosed("morning", "quiz", 7, 2, CHOICE, **(fields | changes))


def test_results_name_who_was_right_and_never_who_was_wrong():
    event = closed(
        [recorded("ana", 1.0), recorded("bo", 0.5), recorded("cy", 0.0), recorded("zed", 1.0)]
    )
    assert render_question_closed(event).splitlines() == [
        "Time! Question 2: 2 of 4 answers fully correct.",
        "  Answer: B) WordPiece",
        "  Why: BERT's vocabulary was built with WordPiece.",
        "  Right: Ana Lima, someone",  # zed has no name yet
        "  Partly right: Bo Chen",
    ]


def test_results_when_everyone_answered_and_for_a_live_question():
    event = closed([recorded("cy", 0.0)], everyone_answered=True, live_detail="[CLS] hi [SEP]")
    assert render_question_closed(event).splitlines() == [
        "Everyone has answered. Question 2: 0 of 1 answers fully correct.",
        "  Answer: B) WordPiece",
        "  Why: BERT's vocabulary was built with WordPiece.",
        "  How the key was found: [CLS] hi [SEP]",
    ]
    assert "Cy" not in render_question_closed(event)


def test_a_skipped_question_says_only_that():
    assert render_question_closed(closed([recorded("ana", 1.0)], skipped=True)) == (
        "Question 2 skipped."
    )


def test_a_submitted_answer_is_recorded_refused_or_answered_as_a_question():
    assert render_submit(SubmitResult(True, "B for question 2.")) == (
        "Recorded: B for question 2. You will see the answer when the question closes."
    )
    assert render_submit(SubmitResult(False, "the question is closed.")) == (
        "Not counted: the question is closed."
    )
    reply = AskReply("what is BPE?", Answer(False, None, None, "Not sure.", 0.2, []))
    asked = SubmitResult(False, "That looks like a question, not an answer:", reply=reply)
    assert render_submit(asked) == "That looks like a question, not an answer:\n\nNot sure."


def standing(name, points, correct, answered=3) -> Standing:
    return Standing(name, points, correct, answered)


def test_standings_name_only_who_got_something_right():
    rows = [
        standing("Ana", 250, 3),
        standing("Bo", 100, 1),
        standing("Cy", 0, 0),
        standing("Dee", 0, 0),
    ]
    assert render_standings("Scores", rows) == [
        "Scores:",
        "  1. Ana: 250 points (3 right answers)",
        "  2. Bo: 100 points (1 right answer)",
        "  and 2 others who took part",
    ]
    assert render_standings("Scores", rows[:1]) == [
        "Scores:",
        "  1. Ana: 250 points (3 right answers)",
    ]
    assert render_standings("Scores", []) == ["Scores: nobody yet."]


def test_standings_are_cut_at_their_limit_and_the_rest_are_a_count():
    rows = [standing(f"S{n}", 100 * (20 - n), 1) for n in range(12)]
    lines = render_standings("Scores", rows, limit=10)
    assert len(lines) == 12 and lines[10] == "  10. S9: 1100 points (1 right answer)"
    assert lines[-1] == "  and 2 others who took part"


def test_the_leaderboard_shows_people_then_teams():
    board = Leaderboard(
        [standing("Ana", 250, 3), standing("Bo", 0, 0)],
        [standing("team2", 125, 3), standing("team4", 0, 0)],
    )
    assert render_leaderboard(board).splitlines() == [
        "Class leaderboard:",
        "  1. Ana: 250 points (3 right answers)",
        "  and 1 other who took part",
        "Teams:",
        "  1. team2: 125 points (3 right answers)",
        "  and 1 other team who took part",
    ]
    assert (
        render_leaderboard(Leaderboard([], []))
        == "Class leaderboard: nobody yet.\nTeams: nobody yet."
    )


def test_a_students_own_result_with_rank_and_what_to_review():
    own = OwnResult(3, 150, 1, 3, 2, 9, ["lora", "unknown-concept"])
    assert render_own_result(own, {"lora": "LoRA"}).splitlines() == [
        "Your result in quiz #3: 150 points, 1 of 3 answers right, rank 2 of 9.",
        "To review: LoRA, unknown-concept (they come back in your reviews).",
    ]
    no_rank = OwnResult(3, 0, 0, 1, None, 9, [])
    assert (
        render_own_result(no_rank, {}) == "Your result in quiz #3: 0 points, 0 of 1 answer right."
    )
    assert render_own_result(OwnResult(4, 0, 0, 0, None, 9, []), {}) == (
        "You did not answer any question of quiz #4."
    )


def test_the_end_of_a_quiz_shows_scores_teams_and_the_concepts_to_review():
    event = QuizEnded(
        "morning",
        "quiz",
        7,
        3,
        QuizStatus.STOPPED,
        [standing("Ana", 200, 2), standing("Bo", 0, 0)],
        [standing("team2", 100, 2)],
        [
            ConceptResult("masks", 0.25, 4),
            ConceptResult("lora", 0.5, 2),
            ConceptResult("bpe", 0.75, 4),
            ConceptResult("heads", 0.9, 10),  # a fourth weak one is not listed
            ConceptResult("tokens", 1.0, 4),
        ],
    )
    titles = {"masks": "Attention masks", "lora": "LoRA"}
    assert render_quiz_ended(event, titles).splitlines() == [
        "Quiz #3 stopped.",
        "Scores:",
        "  1. Ana: 200 points (2 right answers)",
        "  and 1 other who took part",
        "Teams (average of members):",
        "  1. team2: 100 points (2 right answers)",
        "Review these concepts (missed most):",
        "  Attention masks: 25% credit over 4 answers (ask: /ask Attention masks)",
        "  LoRA: 50% credit over 2 answers (ask: /ask LoRA)",
        "  bpe: 75% credit over 4 answers (ask: /ask bpe)",
    ]
    assert render_quiz_event(event, titles) == render_quiz_ended(event, titles)


def test_a_quiz_without_teams_or_misses_ends_with_its_scores():
    event = QuizEnded(
        "morning", "quiz", 7, 1, QuizStatus.FINISHED, [], [], [ConceptResult("t", 1.0, 3)]
    )
    assert render_quiz_ended(event, {}).splitlines() == ["Quiz #1 finished.", "Scores: nobody yet."]


def test_quiz_events_render_by_their_kind():
    assert render_quiz_event(opened(CHOICE), {}) == render_question(opened(CHOICE))
    event = closed([recorded("ana", 1.0)])
    assert render_quiz_event(event, {}) == render_question_closed(event)


def test_teams_by_name_and_an_empty_team():
    assert render_teams({1: ["Ana Lima", "Bo Chen"], 2: [], 3: ["Cy"]}) == (
        "team1: Ana Lima, Bo Chen\nteam2: nobody yet\nteam3: Cy"
    )


def test_extra_time_is_told_to_the_instructor_only():
    assert render_accommodation(Accommodation("Ana Lima", 1.5)) == (
        "Ana Lima now has 1.5x the time on timed quiz questions in this class (only you see this)."
    )
    assert render_accommodation(Accommodation("Ana Lima", 2.0)).startswith("Ana Lima now has 2x")
    assert render_accommodation(Accommodation("Ana Lima", 1.0)) == "Ana Lima has no extra time now."
    assert render_accommodations([Accommodation("Ana", 1.5), Accommodation("Bo", 2.0)]) == (
        "Extra time in this class (only you see this):\n  Ana: 1.5x\n  Bo: 2x"
    )
    assert render_accommodations([]) == "Nobody in this class has extra time."


# --- reviews ---------------------------------------------------------------------------------

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
