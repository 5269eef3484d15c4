"""What a class and a student read in a quiz, from bot/render/quiz.py: questions, results
that name only who did well, standings, teams, extra time (never named to the class), one's
own result and the leaderboard."""

from bot.app.quizzes import ConceptResult, OwnResult, QuestionClosed, QuestionOpened, QuizEnded
from bot.app.results import AskReply, Leaderboard
from bot.render.quiz import (
    render_leaderboard,
    render_own_result,
    render_question,
    render_question_closed,
    render_quiz_ended,
    render_quiz_event,
    render_standings,
    render_submit,
)
from bot.store.enums import QuizStatus
from knowledge.answers import Answer
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


def test_a_question_without_explanation_or_answers_has_no_why_and_names_nobody():
    plain = Question("n", 1, "numeric", ("x",), "How many?")
    event = QuestionClosed("morning", "quiz", 7, 4, plain, "42", [], {})
    assert render_question_closed(event).splitlines() == [
        "Time! Question 4: 0 of 0 answers fully correct.",
        "  Answer: 42",
    ]


def test_standings_with_one_other_team_and_a_long_name_kept_whole():
    long_name = "Maria da Graça Fonseca de Albuquerque e Sousa"
    rows = [standing(long_name, 1_050, 11), standing("team3", 0, 0)]
    assert render_standings("Teams", rows, others_are="other team") == [
        "Teams:",
        f"  1. {long_name}: 1050 points (11 right answers)",
        "  and 1 other team who took part",
    ]


def test_standings_of_nobody_right_name_nobody_and_count_everyone():
    rows = [standing("Ana", 0, 0), standing("Bo", 0, 0, answered=1)]
    assert render_standings("Scores", rows) == ["Scores:", "  and 2 others who took part"]


def test_an_own_result_of_one_right_answer_with_rank_one():
    own = OwnResult(2, 100, 1, 1, 1, 1, [])
    assert render_own_result(own, {}) == (
        "Your result in quiz #2: 100 points, 1 of 1 answer right, rank 1 of 1."
    )
