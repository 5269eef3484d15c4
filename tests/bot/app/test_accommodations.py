"""Time accommodations on a fake clock: a student with extra time may answer until the
question's seconds x their multiplier, everyone else until the seconds; the key (the results)
never comes before an accommodated player has had their time; the jigsaw's closing quiz still
fits its phase."""

import math

import pytest

from bot.app.jigsaw import QuizPlan
from bot.app.quizzes import QuestionClosed, QuestionOpened
from bot.app.tutor import Tutor
from bot.errors import NotAllowed, UsageError
from bot.render import text as render_text
from bot.terminal.console import ConsoleSession
from skills.jigsaw import Timings
from tests.helpers import right_answer, who, wrong_answer

PROF = who("prof", instructor=True)


@pytest.fixture
def class_tutor(settings, encoder, clock):
    tutor = Tutor(settings, encoder=encoder, clock=clock)
    tutor.events = []
    tutor.quizzes.subscribe(tutor.events.append)
    tutor.jigsaw.subscribe(tutor.events.append)
    tutor.classes.join_team(who("ana"), "team1")
    tutor.classes.join_team(who("bo"), "team1")
    tutor.classes.join_team(who("cy", name="Cyrille Vantablack"), "team2")
    yield tutor
    tutor.close()


def closed(tutor) -> list[QuestionClosed]:
    return [e for e in tutor.events if isinstance(e, QuestionClosed)]


def test_extra_time_is_honoured_and_the_key_waits_for_it(class_tutor, clock):
    tutor = class_tutor
    tutor.classes.accommodate(PROF, "ana", 1.5)
    opened = tutor.quizzes.start(PROF, team=1, count=2, seconds=30, seed=3)
    assert (opened.seconds, opened.open_for) == (30, 45) and opened.extended
    assert "30 s; with extra time, up to 45 s before the results" in render_text.render_question(
        opened
    )
    assert tutor.quizzes.answer(who("cy"), wrong_answer(opened, tutor)).accepted  # in time
    start = clock.now

    clock.now = start + 31  # past the class's time: nothing is revealed yet
    tutor.quizzes.tick()
    assert closed(tutor) == []
    assert tutor.quizzes.current("console", "class").open_for == pytest.approx(14)

    clock.now = start + 39  # 1.3 x 30 s
    late = tutor.quizzes.answer(who("bo"), right_answer(opened, tutor))
    assert not late.accepted and "Time is up" in late.message
    extra = tutor.quizzes.answer(who("ana"), right_answer(opened, tutor))
    assert extra.accepted
    tutor.quizzes.tick()  # the one player with extra time has answered: results now
    (first,) = closed(tutor)
    assert {a.user for a in first.answers} == {"ana", "cy"} and first.names["ana"] == "ana"

    second = tutor.quizzes.current("console", "class")
    assert second.number == 2 and second.open_for == 45
    start = clock.now
    clock.now = start + 44.9  # ana does not answer: the results wait for her time anyway
    tutor.quizzes.tick()
    assert len(closed(tutor)) == 1
    clock.now = start + 45.1
    tutor.quizzes.tick()
    assert len(closed(tutor)) == 2


def test_without_extra_time_in_the_room_questions_close_on_time(class_tutor, clock):
    tutor = class_tutor
    tutor.classes.accommodate(PROF, "ana", 2)  # team1's
    tutor.classes.set_team_channel(PROF, "team2", "t2")
    in_team2 = tutor.quizzes.start(PROF.in_channel("t2"), team=2, count=1, seconds=30, seed=1)
    listed = tutor.quizzes.start(PROF, team=2, count=1, seconds=30, players=frozenset({"bo"}))
    assert not in_team2.extended and not listed.extended
    clock.now += 30.1
    tutor.quizzes.tick()
    assert len(closed(tutor)) == 2


def test_a_player_with_extra_time_who_answers_first_costs_the_class_nothing(class_tutor, clock):
    tutor = class_tutor
    tutor.classes.accommodate(PROF, "ana", 3)
    opened = tutor.quizzes.start(PROF, team=1, count=1, seconds=30, seed=3)
    assert tutor.quizzes.answer(who("ana"), right_answer(opened, tutor)).accepted
    clock.now += 30.1
    tutor.quizzes.tick()
    assert len(closed(tutor)) == 1


def test_the_instructor_sets_lists_and_clears_extra_time(class_tutor):
    tutor = class_tutor
    with pytest.raises(NotAllowed):
        tutor.classes.accommodate(who("ana"), "ana", 1.5)
    for bad in (0.5, 3.5, math.nan, math.inf):
        with pytest.raises(UsageError, match="between 1 and 3"):
            tutor.classes.accommodate(PROF, "ana", bad)
    assert tutor.classes.accommodate(PROF, "ana", 1.25).multiplier == 1.25
    assert [(a.person, a.multiplier) for a in tutor.classes.accommodations(PROF)] == [("ana", 1.25)]
    # Per class: another server's instructor sees none.
    assert tutor.classes.accommodations(who("x", server="other", instructor=True)) == []
    tutor.classes.accommodate(PROF, "ana", 1)
    assert tutor.classes.accommodations(PROF) == []

    console = ConsoleSession(tutor, PROF)
    assert "bo now has 1.5x the time" in console.handle("/teams accommodate bo 1.5x")
    assert "bo: 1.5x" in console.handle("/teams accommodate")
    assert "between 1 and 3" in console.handle("/teams accommodate bo 4")
    assert "not a multiplier" in console.handle("/teams accommodate bo lots")
    assert "Give the multiplier too" in console.handle("/teams accommodate bo")
    assert "Nobody called 'zed'" in console.handle("/teams accommodate zed 2")
    student = ConsoleSession(tutor, who("cy"))
    assert "Only the instructor" in student.handle("/teams accommodate")
    assert "1.5" not in student.handle("/teams")  # the team list never shows it


def test_the_jigsaw_quiz_plans_for_extra_time(class_tutor, clock):
    tutor = class_tutor
    gap = tutor.quizzes.gap_seconds = 3.0
    # Five minutes: every concept still fits with extra time, at less time per question.
    plain, extra = tutor.jigsaw.plan_quiz(300), tutor.jigsaw.plan_quiz(300, 1.5)
    assert len(plain.covered) == len(extra.covered) == 20
    assert extra.seconds_per_question < plain.seconds_per_question
    # Three minutes: fewer concepts fit with extra time, and the plan says which.
    plain, plan = tutor.jigsaw.plan_quiz(180), tutor.jigsaw.plan_quiz(180, 1.5)
    longest = len(plan.questions) * (plan.seconds_per_question * 1.5 + gap)
    assert len(plan.questions) < len(plain.questions) and longest <= 180 - 5
    assert set(plain.covered) - set(plan.covered) <= set(plan.left_out)
    assert len(plan.covered) < len(plain.covered) and len(plan.covered + plan.left_out) == 20

    tutor.classes.accommodate(PROF, "cy", 1.5)
    tutor.jigsaw.start(PROF, timings=Timings(learn=0.1, prepare=0.1, teach_per_team=0.1, quiz=3))
    for _ in range(20):
        if tutor.quizzes.is_running("console", "class"):
            break
        clock.now += tutor.jigsaw.status(PROF).seconds_left + 0.1
        tutor.jigsaw.tick()
    (announced,) = [e for e in tutor.events if isinstance(e, QuizPlan)]
    assert announced.extra_time == 1.5 and announced.left_out == plan.left_out
    text = render_text.render_quiz_plan(announced, tutor.titles)
    assert "extra time get up to" in text and "Not enough time for" in text
    assert "Cyrille" not in text  # nobody's accommodation is shown to the class
    opened = [e for e in tutor.events if isinstance(e, QuestionOpened)][-1]
    assert opened.open_for == pytest.approx(1.5 * announced.seconds_per_question)
