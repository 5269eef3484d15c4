"""The jigsaw table: an activity's state survives its process (a dead owner's activity is
marked interrupted, never a live one's), reopens under a new owner, and a finished activity's
grid is found per class only."""

from bot.store import Store
from bot.store import jigsaw as rows
from bot.store.enums import ActivityStatus
from skills.course import JIGSAW_CONCEPTS
from skills.jigsaw import Activity, Timings, plan


def activity() -> Activity:
    started = Activity(plan(Timings()), {t: list(c) for t, c in JIGSAW_CONCEPTS.items()})
    started.start(0.0)
    return started


def test_interrupted_then_reopened_then_ended_with_its_grid(tmp_path):
    mapping = {t: f"team{t}" for t in range(1, 6)}
    with Store(tmp_path / "t.db") as store:
        lost = store.write(rows.insert, "morning", "class", mapping, activity(), "prof", "dead")
        kept = store.write(rows.insert, "morning", "lab", mapping, activity(), "prof", "alive")
        (report,) = store.write(rows.mark_interrupted, "2026-12-04", {"alive"})
        assert report["id"] == lost and report["phase"] == "learn"
        assert (report["covered"], report["total"]) == (0, 20)
        assert store.run(rows.interrupted_in, "morning", "class")["id"] == lost
        assert store.run(rows.interrupted_in, "evening", "class") is None  # another class
        store.write(rows.reopen, lost, "new-owner")
        assert store.run(rows.interrupted_in, "morning", "class") is None
        store.write(rows.end, kept, ActivityStatus.FINISHED, {"cells": []}, "grid.png")
        assert store.run(rows.with_grid, "morning", None)["id"] == kept
        assert store.run(rows.with_grid, "morning", lost) is None  # no grid: never finished
        assert store.run(rows.with_grid, "evening", kept) is None  # not that class's
