"""Jigsaw activities per class: each class numbers its own activities from 1, a saved state
keeps its clock, and a finished activity's grid is found by the class's own number."""

import json

import pytest
from sqlite_utils import Database

from bot.store import jigsaw as rows
from bot.store import number_of
from bot.store.enums import ActivityStatus
from bot.store.migrations import migrations
from skills.course import JIGSAW_CONCEPTS
from skills.jigsaw import Activity, Timings, plan


@pytest.fixture
def db(tmp_path):
    database = Database(tmp_path / "t.db")
    migrations.apply(database)
    yield database
    database.close()


def started() -> Activity:
    activity = Activity(plan(Timings()), {t: list(c) for t, c in JIGSAW_CONCEPTS.items()})
    activity.start(0.0)
    return activity


def begin(db: Database, server: str) -> int:
    return rows.insert(db, server, "class", {1: "team1-room"}, started(), "prof", "bot-1")


def test_each_class_numbers_its_own_activities(db):
    made = [begin(db, s) for s in ("morning", "evening", "morning")]
    assert [number_of(db, "jigsaw_activities", a) for a in made] == [1, 1, 2]
    row = db.table("jigsaw_activities").get(made[1])
    assert (row["server"], row["status"], row["started_by"], row["owner"]) == (
        "evening",
        "running",
        "prof",
        "bot-1",
    )
    assert json.loads(row["team_channels"]) == {"1": "team1-room"}


def test_a_saved_state_keeps_its_phase_its_clock_and_its_quiz(db):
    made = begin(db, "morning")
    activity = started()
    activity.pause(12.5)
    rows.update(db, made, activity, 42, saved_at=12.5)
    row = db.table("jigsaw_activities").get(made)
    state = json.loads(row["state"])
    assert (row["status"], row["quiz_session_id"]) == ("paused", 42)
    assert state["saved_at"] == 12.5 and Activity.from_dict(state).status == "paused"


def test_a_grid_is_found_by_the_classs_own_number(db):
    first = begin(db, "morning")
    evening = begin(db, "evening")
    second = begin(db, "morning")
    rows.end(db, first, ActivityStatus.FINISHED, {"cells": {"tokens": {}}}, "first.png")
    rows.end(db, evening, ActivityStatus.FINISHED, {"cells": {}}, "evening.png")
    rows.end(db, second, ActivityStatus.STOPPED, None, None)  # stopped before its grid
    assert rows.with_grid(db, "morning", None)["id"] == first  # the latest with a grid
    assert rows.with_grid(db, "morning", 1)["mastery_png"] == "first.png"
    assert rows.with_grid(db, "morning", 2) is None
    assert rows.with_grid(db, "evening", 1)["id"] == evening  # its #1, row 2
    assert rows.with_grid(db, "evening", 2) is None
    assert json.loads(rows.with_grid(db, "morning", 1)["mastery"]) == {"cells": {"tokens": {}}}
    stopped = db.table("jigsaw_activities").get(second)
    assert (stopped["status"], stopped["mastery"]) == ("stopped", None) and stopped["ended_at"]
