import pytest

from skills.jigsaw import (
    Activity,
    ActivityError,
    ActivityFinished,
    MasteryGrid,
    PhaseStarted,
    TimeWarning,
    Timings,
    mastery_grid,
    plan,
)

CONCEPTS = {t: [f"c{t}{i}" for i in range(4)] for t in range(1, 6)}


def activity(**timings) -> Activity:
    return Activity(plan(Timings(**timings)), CONCEPTS)


def test_default_plan_is_the_course_timing():
    phases = plan(Timings())
    assert [p.label for p in phases] == [
        "learn",
        "prepare",
        "teach: team1",
        "teach: team2",
        "teach: team3",
        "teach: team4",
        "teach: team5",
        "quiz",
    ]
    assert sum(p.minutes for p in phases[:-1]) == 25


def test_phases_advance_on_time_with_one_warning_each():
    a = activity()
    (started,) = a.start(now=0)
    assert isinstance(started, PhaseStarted) and started.phase.name == "learn"
    assert a.tick(now=500) == []
    (warning,) = a.tick(now=545)
    assert isinstance(warning, TimeWarning) and warning.seconds_left == 55
    assert a.tick(now=550) == []  # warned once
    (nxt,) = a.tick(now=600)
    assert isinstance(nxt, PhaseStarted) and nxt.phase.name == "prepare" and nxt.number == 2


def test_pause_resume_extend_and_skip():
    a = activity()
    a.start(now=0)
    a.pause(now=100)
    assert a.tick(now=10_000) == []  # paused: time does not run
    assert a.time_left(now=10_000) == 500
    a.resume(now=10_000)
    assert a.time_left(now=10_000) == 500
    a.extend(2, now=10_000)
    assert a.time_left(now=10_000) == 620
    (nxt,) = a.next_phase(now=10_001)
    assert nxt.phase.name == "prepare"
    with pytest.raises(ActivityError):
        a.extend(0, now=1)
    with pytest.raises(ActivityError):
        a.resume(now=1)


def test_last_phase_finishes_and_stop():
    a = activity(learn=0.1, prepare=0.1, teach_per_team=0.1, quiz=0.1)
    a.start(now=0)
    events = []
    for second in range(0, 60, 6):
        events += a.tick(now=second + 0.5)
    assert isinstance(events[-1], ActivityFinished) and a.status == "finished"
    b = activity()
    b.start(now=0)
    assert b.stop() == [ActivityFinished("stopped")]
    with pytest.raises(ActivityError):
        b.next_phase(now=1)


def test_marking_concepts_taught():
    a = activity()
    a.start(now=0)
    a.mark_taught(3, "c30")
    a.mark_taught(3, "c30")  # twice counts once
    a.mark_taught(1, "c12")
    assert a.progress() == (2, 20)
    with pytest.raises(ActivityError, match="not one of team3"):
        a.mark_taught(3, "c10")


def test_state_round_trips():
    a = activity()
    a.start(now=0)
    a.mark_taught(2, "c21")
    assert Activity.from_dict(a.to_dict()) == a


@pytest.mark.parametrize("bad", [{"learn": 0}, {"quiz": 500}])
def test_timings_are_validated(bad):
    with pytest.raises(ActivityError):
        Timings(**bad)


def test_mastery_grid():
    rows = [(1, ["a"], 1.0), (1, ["a", "b"], 0.0), (2, ["b"], 0.5), (None, ["a"], 1.0)]
    grid = mastery_grid(rows, (1, 2), ["a", "b", "c"], taught=frozenset({"a"}))
    assert grid.cells == {
        "a": {1: (0.5, 2), 2: (None, 0)},
        "b": {1: (0.0, 1), 2: (0.5, 1)},
        "c": {1: (None, 0), 2: (None, 0)},
    }
    assert grid.overall("b") == (0.25, 2) and grid.overall("c") == (None, 0)
    assert grid.weakest() == ["b", "a"]  # no data for c: not a concept to revisit
    assert MasteryGrid.from_dict(grid.to_dict()) == grid
    old = MasteryGrid.from_dict({"a": {"1": 0.5, "2": None}})  # stored by an older version
    assert old.cells == {"a": {1: (0.5, 0), 2: (None, 0)}}
