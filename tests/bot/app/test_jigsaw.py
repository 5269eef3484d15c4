"""A whole jigsaw activity on a fake clock: material, phases, progress, quiz, mastery grid."""

import json

import pytest

from bot.app.jigsaw import Announcement, JigsawError, MasteryReady, QuizPlan, TeamMaterial
from bot.app.quizzes import QuestionOpened
from bot.app.tutor import Tutor
from bot.errors import TutorError
from bot.render.text import render_mastery
from bot.terminal.console import ConsoleSession
from skills.jigsaw import PhaseStarted, Timings
from tests.helpers import crash, right_answer, who, wrong_answer


@pytest.fixture
def class_tutor(settings, encoder, clock):
    tutor = Tutor(settings, encoder=encoder, clock=clock)
    tutor.events = []  # the activity's and its quiz's, in the order the class sees them
    tutor.jigsaw.subscribe(tutor.events.append)
    tutor.quizzes.subscribe(tutor.events.append)
    yield tutor
    tutor.close()


def run_to(tutor, clock, name):
    """Advance the fake clock until the phase called `name` starts."""
    for _ in range(20):
        status = tutor.jigsaw.status(who("prof"))
        if status.phase == name:
            return status
        clock.now += status.seconds_left + 0.1
        tutor.quizzes.tick()
        tutor.jigsaw.tick()
    raise AssertionError(f"phase {name} never started")


def test_whole_activity(class_tutor, clock, tmp_path):
    tutor = class_tutor
    for n in range(1, 6):
        tutor.classes.join_team(who(f"s{n}"), f"team{n}")
    status = tutor.jigsaw.start(who("prof"), team_channels={t: f"t{t}" for t in range(1, 6)})
    assert status.phase == "learn" and (status.covered, status.total) == (0, 20)
    material = [e for e in tutor.events if isinstance(e, TeamMaterial)]
    assert [(m.channel, len(m.cards)) for m in material] == [(f"t{t}", 4) for t in range(1, 6)]
    assert [c.id for c in material[2].cards] == [
        "tokenization",
        "subwords-and-vocabulary",
        "special-tokens",
        "attention-masks-and-padding",
    ]

    team3 = ConsoleSession(tutor, who("s3", "t3"))
    assert "1/20 concepts covered" in team3.handle("/jigsaw taught tokenization")
    assert "not one of team3" in team3.handle("/jigsaw taught attention")
    assert "2/20" in team3.handle("/jigsaw taught Special tokens ([CLS], [SEP], [PAD], [MASK])")

    run_to(tutor, clock, "prepare")
    teach = run_to(tutor, clock, "teach: team1")
    assert teach.seconds_left == pytest.approx(120, abs=1)
    phases = [
        e.event.phase.label
        for e in tutor.events
        if isinstance(e, Announcement) and isinstance(e.event, PhaseStarted)
    ]
    assert phases == ["learn", "prepare", "teach: team1"]

    run_to(tutor, clock, "quiz")
    assert tutor.quizzes.is_running("console", "class")
    (plan,) = [e for e in tutor.events if isinstance(e, QuizPlan)]
    assert len(plan.covered) == 20 and plan.left_out == []  # the default 5-minute phase
    first_question = next(i for i, e in enumerate(tutor.events) if isinstance(e, QuestionOpened))
    assert tutor.events.index(plan) < first_question  # the plan, then "Question 1/20"
    unplaced = 0
    for _ in range(25):
        current = tutor.quizzes.current("console", "class")
        if current is None:
            break
        for n in range(1, 6):
            answer = right_answer(current, tutor) if n in (1, 3) else wrong_answer(current, tutor)
            tutor.quizzes.answer(who(f"s{n}"), answer)
        if unplaced < 3:  # a student in no team answers the first three
            tutor.quizzes.answer(who("lone"), right_answer(current, tutor))
            unplaced += 1
        clock.now += current.seconds + 0.1
        tutor.quizzes.tick()
    (ready,) = [e for e in tutor.events if isinstance(e, MasteryReady)]
    assert ready.png_path and ready.png_path.exists() and ready.png_path.stat().st_size > 5000
    grid = ready.grid
    assert len(grid.concepts) == 20 and grid.taught == {"tokenization", "special-tokens"}
    cells = [cell for row in grid.cells.values() for cell in row.values()]
    assert all(n >= 1 for share, n in cells)  # every concept asked, every team answered
    assert all(row[2][0] == 0.0 for row in grid.cells.values())  # team2 answered wrongly
    assert all(row[1][0] == 1.0 for row in grid.cells.values())
    assert "Heat map" in ready.alt_text
    assert grid.unplaced == 3 and "3 answers from students in no team" in ready.alt_text
    shown = render_mastery(ready, tutor.jigsaw.titles)
    assert "3 answers came from students in no team and are in no column" in shown
    again = tutor.jigsaw.grid(who("prof"))  # shown again after the activity
    assert again.grid == grid and again.number == ready.number
    stored = tutor.store.run(lambda db: list(db.table("jigsaw_activities").rows))[0]
    assert stored["status"] == "finished" and json.loads(stored["mastery"])
    assert stored["mastery_png"] == str(ready.png_path)
    with pytest.raises(JigsawError):
        tutor.jigsaw.status(who("prof"))


def test_controls_from_the_console(class_tutor, clock):
    teacher = ConsoleSession(class_tutor, who("prof"))
    assert "learn, 2:00 left" in teacher.handle(
        "/jigsaw start --learn 2 --prepare 1 --teach 1 --quiz 2"
    )
    assert "paused" in teacher.handle("/jigsaw pause")
    clock.now += 500
    assert "learn, 2:00 left" in teacher.handle("/jigsaw resume")
    assert "learn, 5:00 left" in teacher.handle("/jigsaw extend 3")
    assert "prepare, 1:00 left" in teacher.handle("/jigsaw next")
    assert "-1 is not between 0.1 and 60" in teacher.handle("/jigsaw extend -1")
    assert "already running" in teacher.handle("/jigsaw start")
    assert "Which team?" in teacher.handle("/jigsaw taught attention")
    assert "1/20" in teacher.handle("/jigsaw taught attention --team 1")
    teacher.handle("/jigsaw stop")
    assert "No jigsaw activity" in teacher.handle("/jigsaw status")
    assert "the teams are" in teacher.handle("/jigsaw start --channels team9=x")
    missing = teacher.handle("/jigsaw start --channels team1=a,t2=b,3=c")
    assert "missing team4, team5" in missing and "--channels team1=NAME" in missing


def test_teams_are_read_as_people_name_them(class_tutor):
    tutor = class_tutor
    channels = {"team1": "a", "Team 2": "b", "#team3": "c", "t4": "d", 5: "e"}
    tutor.jigsaw.start(who("prof"), team_channels=channels)  # type: ignore[arg-type]
    material = [e for e in tutor.events if isinstance(e, TeamMaterial)]
    assert [m.channel for m in material] == ["a", "b", "c", "d", "e"]
    assert tutor.jigsaw.mark_taught(who("prof"), "tokenization", "team3").covered == 1
    with pytest.raises(TutorError, match="not one of team1"):
        tutor.jigsaw.mark_taught(who("prof"), "tokenization", "Team 1")
    with pytest.raises(JigsawError, match="missing team1, team2, team3, team4, team5"):
        tutor.jigsaw.start(who("prof", "other"), team_channels={})


def test_restart_mid_activity_is_reported(settings, encoder, clock):
    first = Tutor(settings, encoder=encoder, clock=clock)
    first.jigsaw.start(who("prof"), timings=Timings(learn=1))
    first.jigsaw.mark_taught(who("prof"), "hardware", 5)
    crash(first)  # no stop, no clean shutdown; its lease runs out
    second = Tutor(settings, encoder=encoder, clock=clock)
    try:
        (report,) = second.recover_interrupted().activities
        assert report.phase == "learn" and (report.covered, report.total) == (1, 20)
        second.jigsaw.start(who("prof"))  # the channel is free again
    finally:
        second.close()


def test_a_short_quiz_phase_covers_fewer_concepts_and_says_which(class_tutor):
    plan = class_tutor.jigsaw.plan_quiz(60)  # one minute
    gap = class_tutor.quizzes.gap_seconds
    used = len(plan.questions) * (plan.seconds_per_question + gap)
    assert 0 < len(plan.covered) < 20 and used <= 60
    assert len(plan.covered) + len(plan.left_out) == 20
    full = class_tutor.jigsaw.plan_quiz(300)
    assert len(full.covered) == 20 and 8 <= full.seconds_per_question <= 12
    # No question is asked twice: a concept an earlier question tests too is covered by it.
    assert len({q.id for q in full.questions}) == len(full.questions) < 20
    for concept in full.covered:
        assert any(concept in q.concepts for q in full.questions)


def test_stopping_mid_quiz_still_shows_the_open_question(class_tutor, clock):
    from bot.app.quizzes import QuestionClosed, QuizEnded

    events = []
    class_tutor.quizzes.subscribe(events.append)
    class_tutor.jigsaw.start(
        who("prof"), timings=Timings(learn=0.1, prepare=0.1, teach_per_team=0.1, quiz=5)
    )
    run_to(class_tutor, clock, "quiz")
    class_tutor.jigsaw.stop(who("prof"))
    kinds = [type(e).__name__ for e in events]
    assert kinds[-2:] == ["QuestionClosed", "QuizEnded"]
    closed = events[-2]
    assert isinstance(closed, QuestionClosed) and closed.expected
    assert isinstance(events[-1], QuizEnded)


def test_resume_continues_an_interrupted_activity_with_its_time_left(settings, encoder, clock):
    first = Tutor(settings, encoder=encoder, clock=clock)
    first.jigsaw.start(who("prof"), timings=Timings(learn=10))
    first.jigsaw.mark_taught(who("prof"), "Tokenization", 3)  # a title works as well as an id
    clock.now += 240  # four minutes into learning
    first.jigsaw.tick()
    crash(first)
    clock.now += 600  # the machine was down for ten minutes
    second = Tutor(settings, encoder=encoder, clock=clock)
    try:
        assert second.recover_interrupted().activities
        status = second.jigsaw.resume(who("prof"))
        assert status.phase == "learn" and status.covered == 1
        assert status.seconds_left == pytest.approx(360, abs=2)  # what was left, not less
    finally:
        second.close()


def test_an_interrupted_activity_can_be_ended_instead(settings, encoder, clock):
    first = Tutor(settings, encoder=encoder, clock=clock)
    first.jigsaw.start(who("prof"), timings=Timings(learn=10))
    first.jigsaw.mark_taught(who("prof"), "Tokenization", 3)
    crash(first)
    second = Tutor(settings, encoder=encoder, clock=clock)
    try:
        assert second.recover_interrupted().activities
        status = second.jigsaw.stop(who("prof"))
        assert status.status == "stopped" and status.covered == 1
        with pytest.raises(JigsawError, match="No jigsaw activity is paused or interrupted"):
            second.jigsaw.resume(who("prof"))
        with pytest.raises(JigsawError, match="No jigsaw activity is running"):
            second.jigsaw.stop(who("prof"))
    finally:
        second.close()


def test_the_scripted_activity_writes_the_grid_and_a_transcript(tmp_path):
    """bench/jigsaw_scripted.py (the docs' example) runs with the real core, small."""
    from PIL import Image

    from bench.jigsaw_scripted import run

    out = run(per_team=2, docs=tmp_path)
    with Image.open(out["png"]) as png:
        assert "Heat map of quiz credit" in png.text["Description"]  # the alt text
    assert out["png"].stat().st_size < 150_000
    page = out["transcript"].read_text()
    assert "![Heat map of quiz credit" in page and "Mastery grid of activity" in page
    assert "Recorded: your answer" in page and "Not counted: Time is up" in page
    assert "with extra time, up to" in page and out["refused"] == 1
    assert "Time!" in page and "Scores:" in page
