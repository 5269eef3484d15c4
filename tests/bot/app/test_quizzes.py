"""Quiz sessions through the Tutor: timers (on a fake clock), storage, concurrency, restarts."""

import threading

import pytest

from bot.app.quizzes import InterruptedQuiz, QuestionClosed, QuestionOpened, QuizEnded, QuizError
from bot.app.tutor import Tutor
from bot.render.text import render_own_result, render_quiz_ended
from bot.terminal.console import ConsoleSession
from skills.course import UnknownTeam
from tests.helpers import crash, right_answer, who, wrong_answer


@pytest.fixture
def quiz_tutor(settings, encoder, clock):
    tutor = Tutor(settings, encoder=encoder, clock=clock)
    tutor.events = []
    tutor.quizzes.subscribe(tutor.events.append)
    yield tutor
    tutor.close()


def start(tutor, **kwargs):
    kwargs = {"team": 4, "count": 3, "seconds": 30, "seed": 1, **kwargs}
    players = kwargs.pop("expected_users", frozenset())
    return tutor.quizzes.start(who("teacher", instructor=True), players=players, **kwargs)


def test_thirty_users_in_one_second_are_each_scored_once(quiz_tutor, clock):
    opened = start(quiz_tutor)
    answer = right_answer(opened, quiz_tutor)
    results = []
    barrier = threading.Barrier(30)

    def student(n: int) -> None:
        barrier.wait()
        results.append(quiz_tutor.quizzes.answer(who(f"student{n}"), answer))
        results.append(quiz_tutor.quizzes.answer(who(f"student{n}"), answer))  # a double click

    threads = [threading.Thread(target=student, args=(n,)) for n in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    accepted = [r for r in results if r.accepted]
    duplicates = [r for r in results if not r.accepted]
    assert len(accepted) == 30
    assert len(duplicates) == 30 and all("already answered" in r.message for r in duplicates)
    rows = quiz_tutor.store.run(lambda db: list(db.table("quiz_answers").rows))
    assert len(rows) == 30
    assert len({r["user"] for r in rows}) == 30
    assert all(r["credit"] == 1.0 and r["points"] == 100 for r in rows)


def test_an_answer_for_a_quiz_that_ended_is_refused_as_closed(quiz_tutor):
    opened = start(quiz_tutor)
    quiz_tutor.quizzes.stop(who("teacher", instructor=True))
    late = quiz_tutor.quizzes.answer(who("ana"), "A", question=(opened.session_id, 1))
    assert not late.accepted and late.message.startswith("Question 1 has closed")


def test_timer_closes_questions_and_late_answers_are_refused(quiz_tutor, clock):
    opened = start(quiz_tutor)
    clock.now += 31
    late = quiz_tutor.quizzes.answer(who("ana"), right_answer(opened, quiz_tutor))
    assert not late.accepted and "Time is up" in late.message
    quiz_tutor.quizzes.tick()
    closed = [e for e in quiz_tutor.events if isinstance(e, QuestionClosed)]
    assert len(closed) == 1 and closed[0].answers == []
    assert isinstance(quiz_tutor.events[-1], QuestionOpened) and quiz_tutor.events[-1].number == 2


def test_an_answer_received_in_time_counts_however_long_it_waits_for_a_worker(quiz_tutor, clock):
    """A burst at the deadline queues on the frontend's executor: the answers reach `answer`
    after the deadline, but they arrived before it, and the question waits for them."""
    opened = start(quiz_tutor)
    answer = right_answer(opened, quiz_tutor)
    clock.now += 29.5
    arrivals = {n: quiz_tutor.quizzes.arrive(who(f"s{n}")) for n in range(40)}
    clock.now += 5  # the workers get to them past the deadline
    quiz_tutor.quizzes.tick()  # the question waits: answers are still arriving
    assert not [e for e in quiz_tutor.events if isinstance(e, QuestionClosed)]
    results = [
        quiz_tutor.quizzes.answer(
            who(f"s{n}"), answer, question=(opened.session_id, 1), arrival=arrival
        )
        for n, arrival in arrivals.items()
    ]
    assert all(r.accepted for r in results), [r.message for r in results if not r.accepted]
    # An answer received after the deadline is still late, and a released hold lets it close.
    late = quiz_tutor.quizzes.arrive(who("late"))
    assert "Time is up" in quiz_tutor.quizzes.answer(who("late"), answer, arrival=late).message
    late.release()  # idempotent: the frontend's own finally
    quiz_tutor.quizzes.tick()
    (closed,) = [e for e in quiz_tutor.events if isinstance(e, QuestionClosed)]
    assert len(closed.answers) == 40


def test_a_hold_never_released_keeps_a_question_open_only_for_the_grace(quiz_tutor, clock):
    from bot.app.quizzes import GRADING_GRACE_SECONDS

    start(quiz_tutor)
    quiz_tutor.quizzes.arrive(who("lost"))  # e.g. the frontend died before answering
    clock.now += 31
    quiz_tutor.quizzes.tick()
    assert not [e for e in quiz_tutor.events if isinstance(e, QuestionClosed)]
    clock.now += GRADING_GRACE_SECONDS
    quiz_tutor.quizzes.tick()
    assert [e for e in quiz_tutor.events if isinstance(e, QuestionClosed)]


def test_question_closes_when_every_expected_player_answered(quiz_tutor, clock):
    opened = start(quiz_tutor, expected_users=frozenset({"ana", "bo"}))
    quiz_tutor.quizzes.answer(who("ana"), right_answer(opened, quiz_tutor))
    quiz_tutor.quizzes.tick()
    assert quiz_tutor.quizzes.current("console", "class").number == 1
    quiz_tutor.quizzes.answer(who("bo"), wrong_answer(opened, quiz_tutor))
    quiz_tutor.quizzes.tick()
    assert quiz_tutor.quizzes.current("console", "class").number == 2


def test_whole_quiz_results_leaderboard_and_missed_concepts(quiz_tutor, clock):
    quiz_tutor.classes.join_team(who("ana"), "team4")
    quiz_tutor.classes.join_team(who("bo"), "Team 2")
    opened = start(quiz_tutor, expected_users=frozenset({"ana", "bo"}))
    for _ in range(opened.total):
        current = quiz_tutor.quizzes.current("console", "class")
        quiz_tutor.quizzes.answer(who("ana"), right_answer(current, quiz_tutor))
        quiz_tutor.quizzes.answer(who("bo"), wrong_answer(current, quiz_tutor))
        quiz_tutor.quizzes.tick()
    ended = quiz_tutor.events[-1]
    assert isinstance(ended, QuizEnded) and ended.status == "finished"
    assert [(u.name, u.points) for u in ended.users] == [("ana", 300), ("bo", 0)]
    assert [t.name for t in ended.teams] == ["team4", "team2"]
    assert ended.missed and all(c.mean_credit == 0.5 for c in ended.missed)
    board = quiz_tutor.quizzes.leaderboard("console")
    assert board.users[0].name == "ana" and board.teams[0].name == "team4"
    assert not quiz_tutor.quizzes.is_running("console", "class")


def test_restart_mid_quiz_keeps_answers_and_reports_the_interruption(settings, encoder, clock):
    first = Tutor(settings, encoder=encoder, clock=clock)
    opened = first.quizzes.start(who("teacher"), team=1, count=3, seconds=30, seed=2)
    first.quizzes.answer(who("ana"), right_answer(opened, first))
    first.quizzes.answer(who("bo"), wrong_answer(opened, first))
    crash(first)  # no stop, no clean shutdown; its lease runs out

    second = Tutor(settings, encoder=encoder, clock=clock)
    try:
        (report,) = second.recover_interrupted().quizzes
        assert report == InterruptedQuiz(
            id=opened.session_id,
            number=1,
            server="console",
            channel="class",
            team=1,
            question=1,
            questions=3,
            answers_kept=2,
            post=None,  # no frontend noted where it posted the question
        )
        assert not second.quizzes.is_running("console", "class")
        board = second.quizzes.leaderboard("console")
        assert {u.name for u in board.users} == {"ana", "bo"}
        assert second.quizzes.results(opened.session_id).status == "interrupted"
        second.quizzes.start(
            who("teacher"), team=1, count=1, seconds=30
        )  # the channel is free again
        crash(second)
        third = Tutor(settings, encoder=encoder)
        assert third.recover_interrupted().quizzes  # the next restart too
        third.close()
    finally:
        second.close()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"count": 0}, "1 to 20"),
        ({"count": 21}, "1 to 20"),
        ({"seconds": 1}, "seconds"),
    ],
)
def test_bad_quiz_settings(quiz_tutor, kwargs, message):
    with pytest.raises(QuizError, match=message):
        start(quiz_tutor, **kwargs)


def test_one_quiz_per_channel(quiz_tutor):
    start(quiz_tutor)
    with pytest.raises(QuizError, match="already running"):
        start(quiz_tutor)
    quiz_tutor.quizzes.start(who("teacher", "other-channel"), team=2, count=1, seconds=30)


@pytest.mark.parametrize("team", ["team4", "Team 4", "#team4", "4", 4])
def test_a_quiz_takes_the_team_as_a_person_names_it(quiz_tutor, team):
    opened = start(quiz_tutor, team=team)
    assert quiz_tutor.bank.questions(4)[0].team == 4
    assert opened.question.team == 4


def test_an_unknown_team_is_refused_before_anything_starts(quiz_tutor):
    with pytest.raises(UnknownTeam, match="Unknown team 'team9': the teams are team1,"):
        start(quiz_tutor, team="team9")
    with pytest.raises(UnknownTeam):
        quiz_tutor.bank.questions("quantum")
    start(quiz_tutor, team="team4")  # nothing half-started is in the way


@pytest.mark.parametrize("answer", ["", "   ", "\u200b"])
def test_empty_answers_are_not_counted(quiz_tutor, answer):
    start(quiz_tutor)
    result = quiz_tutor.quizzes.answer(who("ana"), answer)
    assert not result.accepted and "empty" in result.message
    assert quiz_tutor.store.run(lambda db: db.table("quiz_answers").count) == 0


def test_huge_answers_are_cut_and_graded(quiz_tutor):
    for seed in range(50):  # a free-text question: any length of prose is an attempt
        opened = start(quiz_tutor, seed=seed)
        if opened.question.kind == "free":
            break
        quiz_tutor.quizzes.stop(who("teacher"))
    result = quiz_tutor.quizzes.answer(who("ana"), right_answer(opened, quiz_tutor) + " x" * 2500)
    assert result.accepted
    (row,) = quiz_tutor.store.run(lambda db: list(db.table("quiz_answers").rows))
    assert len(row["answer"]) <= 2000


def test_live_question_key_comes_from_the_real_tokenizer(quiz_tutor):
    (live,) = [q for q in quiz_tutor.bank.questions() if q.id == "t3-live-unhappiness"]
    assert quiz_tutor.bank.live_key(live) == 4  # un ##ha ##pp ##iness


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        ("team3", True),
        ("Team 3", True),
        ("3", True),
        ("#team3", True),
        ("t3", True),
        ("team9", False),
        ("Team Three", False),
        ("", False),
        ("@everyone", False),
    ],
)
def test_team_names_people_type(quiz_tutor, typed, ok):
    session = ConsoleSession(quiz_tutor, who("teacher", f"ch-{abs(hash(typed))}"))
    reply = session.handle(f"/quiz {typed}")
    assert ("started" in reply) == ok, reply
    if not ok:
        assert "the teams are team1, team2, team3, team4, team5" in reply


def test_console_quiz_round_trip(quiz_tutor, clock):
    ana = ConsoleSession(quiz_tutor, who("ana"))
    bo = ConsoleSession(quiz_tutor, who("bo"))
    assert "started" in ana.handle("/quiz team4 --questions 2 --seconds 20 --players ana,bo")
    current = quiz_tutor.quizzes.current("console", "class")
    assert ana.handle(right_answer(current, quiz_tutor)).startswith("Recorded:")
    assert bo.handle(f"/answer {wrong_answer(current, quiz_tutor)}").startswith("Recorded:")
    assert bo.handle("again").startswith("Not counted:")
    quiz_tutor.quizzes.tick()
    assert quiz_tutor.quizzes.current("console", "class").number == 2
    assert ana.handle("/quiz skip") == "Skipped."
    assert not quiz_tutor.quizzes.is_running("console", "class")
    assert "ana: 100 points" in ana.handle("/quiz leaderboard")
    assert "No quiz is running" in ana.handle("/quiz stop")


def test_imported_toml_questions_keep_the_files_team(quiz_tutor, tmp_path):
    bank = tmp_path / "extra.toml"
    bank.write_text(
        'team = 2\n\n[[questions]]\nid = "x-choice"\nkind = "choice"\n'
        'concepts = ["lora-and-peft"]\nprompt = "Frozen?"\nchoices = ["yes", "no"]\nanswer = 0\n'
    )
    quiz_tutor.bank.import_questions(who(), bank, team=None, concepts=[])
    assert "x-choice" in {q.id for q in quiz_tutor.bank.questions(2)}


def test_imported_gift_questions_join_the_bank(quiz_tutor, tmp_path):
    gift = tmp_path / "extra.gift"
    gift.write_text(
        "::e1:: Is LoRA parameter-efficient? {T}\n\n::e2:: LoRA rank r=8, 100x100 matrix: params? {#1600}\n"
    )
    added = quiz_tutor.bank.import_questions(who(), gift, team=5, concepts=["lora-and-peft"])
    assert [q.id for q in added] == ["import-extra-1", "import-extra-2"]
    assert {"import-extra-1", "import-extra-2"} <= {q.id for q in quiz_tutor.bank.questions()}
    bad = tmp_path / "bad.gift"
    bad.write_text("::b:: what? {=yes}\n")
    with pytest.raises(Exception, match="concepts must list"):
        quiz_tutor.bank.import_questions(who(), bad, team=5, concepts=[])


def test_a_one_shot_command_beside_a_running_bot_interrupts_nothing(settings, encoder, clock):
    bot = Tutor(settings, encoder=encoder, clock=clock)
    try:
        bot.quizzes.start(who("teacher"), team=1, count=2, seconds=30)
        one_shot = Tutor(settings, encoder=encoder)  # e.g. `tutor quiz list` in another terminal
        one_shot.bank.questions()
        one_shot.close()
        status = bot.store.run(lambda db: next(db.table("quiz_sessions").rows)["status"])
        assert status == "running"
    finally:
        bot.close()


def start_kind(tutor, kind, **kwargs):
    """A quiz whose first question is of this kind."""
    for seed in range(200):
        opened = tutor.quizzes.start(
            who("teacher"), team=None, count=2, seconds=30, seed=seed, **kwargs
        )
        if opened.question.kind == kind:
            return opened
        tutor.quizzes.stop(who("teacher"))
    raise AssertionError(f"no {kind} question")


def test_a_format_slip_costs_no_attempt(quiz_tutor):
    opened = start_kind(quiz_tutor, "choice")
    slip = quiz_tutor.quizzes.answer(who("ana"), "hmm, the second one maybe")
    assert not slip.accepted and "not one of the choices" in slip.message
    valid = quiz_tutor.quizzes.answer(who("ana"), right_answer(opened, quiz_tutor))
    assert valid.accepted


def test_number_words_count_on_numeric_questions(quiz_tutor):
    opened = start_kind(quiz_tutor, "numeric")
    words = {4: "four", 100: "one hundred", 3: "three"}
    key = opened.question.answer
    typed = words.get(key, str(key))
    assert quiz_tutor.quizzes.answer(who("ana"), f"about {typed}").accepted
    quiz_tutor.quizzes.stop(who("teacher"))
    assert quiz_tutor.quizzes.leaderboard("console").users[0].points == 100


def test_a_question_during_a_quiz_is_answered_and_costs_no_attempt(quiz_tutor):
    opened = start_kind(quiz_tutor, "choice")
    asked = quiz_tutor.quizzes.answer(who("ana"), "wait, what is warmup again?")
    assert not asked.accepted and asked.reply is not None
    assert asked.reply.answer.concept == "learning-rate-and-warmup"
    assert quiz_tutor.quizzes.answer(who("ana"), right_answer(opened, quiz_tutor)).accepted


def test_the_acknowledgement_never_gives_the_key_away(quiz_tutor):
    opened = start_kind(quiz_tutor, "choice")
    right = quiz_tutor.quizzes.answer(who("ana"), right_answer(opened, quiz_tutor))
    wrong = quiz_tutor.quizzes.answer(who("bo"), wrong_answer(opened, quiz_tutor))
    assert right.accepted and wrong.accepted
    assert "Correct" not in right.message + wrong.message
    assert opened.question.choices[opened.question.answer] not in wrong.message


def test_results_name_who_got_it_right_never_who_got_it_wrong(quiz_tutor):
    session = ConsoleSession(quiz_tutor, who("ana", name="Ana"))
    opened = start_kind(quiz_tutor, "choice", players=frozenset({"ana", "bo"}))
    quiz_tutor.quizzes.answer(who("ana", name="Ana"), right_answer(opened, quiz_tutor))
    quiz_tutor.quizzes.answer(who("bo", name="Bo"), wrong_answer(opened, quiz_tutor))
    quiz_tutor.quizzes.tick()
    closed = [e for e in quiz_tutor.events if isinstance(e, QuestionClosed)][-1]
    from bot.render.text import render_question_closed

    text = render_question_closed(closed)
    assert text.startswith("Everyone has answered.") and "Right: Ana" in text
    assert "Bo" not in text
    assert session.handle("/quiz stop") == "Quiz stopped."


def test_a_live_key_explains_itself_when_the_question_closes(quiz_tutor, clock):
    for seed in range(300):
        opened = quiz_tutor.quizzes.start(who("teacher"), team=3, count=1, seconds=30, seed=seed)
        if opened.question.id == "t3-live-unhappiness":
            break
        quiz_tutor.quizzes.stop(who("teacher"))
    clock.now += 31
    quiz_tutor.quizzes.tick()
    closed = [e for e in quiz_tutor.events if isinstance(e, QuestionClosed)][-1]
    assert "un ##ha ##pp ##iness (4 pieces)" in closed.live_detail
    assert "handout" in closed.live_detail


def test_resume_continues_an_interrupted_quiz_from_its_question(settings, encoder, clock):
    first = Tutor(settings, encoder=encoder, clock=clock)
    opened = first.quizzes.start(who("teacher"), team=4, count=3, seconds=30, seed=1)
    first.quizzes.answer(who("ana"), right_answer(opened, first))
    clock.now += 31
    first.quizzes.tick()  # question 2 is open when the machine dies
    crash(first)
    second = Tutor(settings, encoder=encoder, clock=clock)
    try:
        assert second.recover_interrupted().quizzes
        session = ConsoleSession(second, who("teacher"))
        assert "resumed at question 2/3" in session.handle("/quiz resume")
        current = second.quizzes.current("console", "class")
        assert current.number == 2 and current.session_id == opened.session_id
        assert second.quizzes.answer(who("ana"), right_answer(current, second)).accepted
        second.quizzes.stop(who("teacher"))
        board = second.quizzes.leaderboard("console")
        assert board.users[0].name == "ana" and board.users[0].points == 200  # both counted
        assert "No interrupted quiz" in session.handle("/quiz resume")
    finally:
        second.close()


def test_an_interrupted_quiz_can_be_ended_and_its_stale_question_says_why(settings, encoder, clock):
    first = Tutor(settings, encoder=encoder, clock=clock)
    opened = first.quizzes.start(who("teacher"), team=1, count=3, seconds=30, seed=2)
    first.quizzes.note_posted(opened.session_id, "message 77")
    first.quizzes.answer(who("ana"), right_answer(opened, first))
    crash(first)
    second = Tutor(settings, encoder=encoder, clock=clock)
    try:
        (report,) = second.recover_interrupted().quizzes
        assert report.post == "message 77"  # the frontend finds its stale question again
        late = second.quizzes.answer(who("bo"), "A", question=(opened.session_id, opened.number))
        assert not late.accepted
        assert f"Quiz #{opened.session_id} was interrupted by a restart" in late.message
        ended = second.quizzes.stop(who("teacher"))  # nothing runs: the interrupted one ends
        assert ended.status == "stopped" and [u.name for u in ended.users] == ["ana"]
        session = ConsoleSession(second, who("teacher"))
        assert "No interrupted quiz" in session.handle("/quiz resume")
        assert "No quiz is running" in session.handle("/quiz stop")
    finally:
        second.close()


def test_a_short_line_just_after_a_question_closed_is_a_late_answer_not_a_question(
    quiz_tutor, clock, settings
):
    """In the console, "four" typed as question 1 closes (gap before the next, or after the
    quiz) was answered as a concept question, and "B" was queued for the instructor."""
    start(quiz_tutor, count=1)
    console = ConsoleSession(quiz_tutor, who("ana"))
    clock.now += 31
    quiz_tutor.quizzes.tick()  # question 1 closes; the quiz ends
    for line in ("four", "B", "0.5"):
        assert console.handle(line) == "Question 1 has closed; your answer was not counted."
    assert quiz_tutor.ask.unanswered("console") == []
    assert "You're welcome" in console.handle("thanks!")  # small talk is small talk
    assert "Epochs" in console.handle("how many steps per epoch with 100 examples, batch 10?")
    clock.now += 21  # long after: a short line is a question again
    assert "has closed" not in console.handle("attention mask")


def test_a_question_typed_after_answering_is_asked_not_refused(quiz_tutor):
    opened = start(quiz_tutor)
    console = ConsoleSession(quiz_tutor, who("ana"))
    first = console.handle(right_answer(opened, quiz_tutor))
    assert first.startswith("Recorded")
    again = console.handle("is it about the learning rate?")
    assert again.startswith("(This was not taken as an answer to question 1.)"), again
    assert "Not counted" not in again and "Learning rate and warmup" in again  # answered
    # Checking one's own answer is about the open question: no answer given away, no
    # question asked of the bot (nothing queued, nothing counted as off-topic).
    guess = console.handle("is it 3?")
    assert guess == (
        "Not counted: You already answered question 1; only your first answer counts, and "
        "the answer is shown when the question closes."
    )
    asked = quiz_tutor.insights.digest(who("teacher", instructor=True), "1d")
    assert asked.questions == 1 and asked.off_topic == 0, (asked.questions, asked.off_topic)


def test_an_answer_in_a_team_channel_counts_for_that_team(quiz_tutor):
    prof = who("teacher", instructor=True)
    quiz_tutor.classes.set_team_channel(prof, "team3", "t3")
    quiz_tutor.classes.join_team(who("bo"), "team1")
    opened = quiz_tutor.quizzes.start(who("teacher", "t3", instructor=True), team=3, count=1)
    key = right_answer(opened, quiz_tutor)
    for student in ("ana", "bo"):  # ana is in no team; bo is in team 1, visiting
        assert quiz_tutor.quizzes.answer(who(student, "t3"), key).accepted
    rows = quiz_tutor.store.run(lambda db: list(db.table("quiz_answers").rows))
    assert {r["user"]: r["team"] for r in rows} == {"ana": 3, "bo": 1}


def test_the_class_sees_who_did_well_and_each_student_their_own_result(quiz_tutor, clock):

    opened = start(quiz_tutor, count=1)
    quiz_tutor.quizzes.answer(who("ana"), right_answer(opened, quiz_tutor))
    quiz_tutor.quizzes.answer(who("bo"), wrong_answer(opened, quiz_tutor))
    ended = quiz_tutor.quizzes.stop(who("teacher", instructor=True))
    public = render_quiz_ended(ended, quiz_tutor.titles)
    assert "ana: 100 points (1 right answer)" in public
    assert "bo" not in public and "and 1 other who took part" in public
    titles = quiz_tutor.titles
    bo = render_own_result(quiz_tutor.quizzes.own_result(who("bo"), opened.session_id), titles)
    assert bo.startswith(f"Your result in quiz #{opened.quiz_number}: 0 points, 0 of 1 answer")
    assert "To review: " in bo
    ana = render_own_result(quiz_tutor.quizzes.own_result(who("ana"), opened.session_id), titles)
    assert "1 of 1 answer right, rank 1 of 2" in ana
    with pytest.raises(QuizError, match="No such quiz"):  # another class's quiz
        quiz_tutor.quizzes.own_result(who("ana", server="other"), opened.session_id)


def test_each_class_numbers_its_own_quizzes(quiz_tutor):
    """A second class's first quiz is its Quiz #1, whatever the first class ran before."""
    for _ in range(2):
        start(quiz_tutor, count=1)
        quiz_tutor.quizzes.stop(who("teacher", instructor=True))
    other = who("teacher", server="second class", instructor=True)
    opened = quiz_tutor.quizzes.start(other, team=4, count=1, seconds=30, seed=1)
    assert opened.quiz_number == 1 and opened.session_id == 3
    ended = quiz_tutor.quizzes.stop(other)
    assert render_quiz_ended(ended, quiz_tutor.titles).startswith("Quiz #1 ")
    mine = quiz_tutor.quizzes.own_result(who("ana", server="second class"), opened.session_id)
    assert render_own_result(mine, quiz_tutor.titles).endswith("quiz #1.")
    assert start(quiz_tutor, count=1).quiz_number == 3  # the first class goes on counting
