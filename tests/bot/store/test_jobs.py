"""The fine-tune queue: one queue per database (one GPU), each job numbered in its own class;
claiming is limited in the database itself, and recovery fails the jobs of dead runners."""

import json

import pytest
from sqlite_utils import Database

from bot.store import Store, number_of
from bot.store import jobs as rows
from bot.store.enums import JobStatus
from bot.store.migrations import migrations


@pytest.fixture
def db(tmp_path):
    database = Database(tmp_path / "t.db")
    migrations.apply(database)
    yield database
    database.close()


def queue(db: Database, server: str, owner: str, preset: str | None = None, team=None) -> int:
    config = {"model": "distilbert-base-uncased", "method": "lora"}
    if preset is not None:
        config["preset"] = preset
    return rows.insert_job(db, server=server, owner=owner, team=team, channel="c", config=config)


def test_a_new_job_is_queued_with_its_config_and_numbered_in_its_class(db):
    first = queue(db, "morning", "ana", "quick", team=2)
    job = rows.job(db, first)
    assert (job["server"], job["number"], job["owner"], job["team"]) == ("morning", 1, "ana", 2)
    assert job["status"] == "queued" and job["progress"] == 0.0
    assert json.loads(job["config"]) == {
        "model": "distilbert-base-uncased",
        "method": "lora",
        "preset": "quick",
    }
    assert job["created_at"] and job["started_at"] is None and job["ended_at"] is None


def test_each_class_counts_its_own_jobs_from_one(db):
    ids = [queue(db, s, "ana") for s in ("morning", "evening", "morning", "evening", "morning")]
    assert [number_of(db, "finetune_jobs", i) for i in ids] == [1, 1, 2, 2, 3]
    assert rows.numbered_job(db, "morning", 3)["id"] == ids[4]
    assert rows.numbered_job(db, "evening", 2)["id"] == ids[3]
    assert rows.numbered_job(db, "evening", 3) is None  # the morning class's number only
    assert rows.numbered_job(db, "night", 1) is None  # a class with no jobs


def test_a_missing_job_is_none(db):
    assert rows.job(db, 404) is None
    queue(db, "morning", "ana")
    assert rows.job(db, 2) is None


def test_numbers_are_taken_in_the_writes_transaction(tmp_path):
    with Store(tmp_path / "t.db") as store:
        made = [store.write(lambda db, s=s: queue(db, s, "bo")) for s in ("a", "b", "a", "a", "b")]
        numbers = [store.run(lambda db, i=i: rows.job(db, i)["number"]) for i in made]
        assert numbers == [1, 1, 2, 3, 2]


def test_the_oldest_queued_job_is_claimed_and_no_more_than_the_limit_run(db):
    first, second, third = (queue(db, "morning", o) for o in ("ana", "bo", "cy"))
    claimed = rows.claim_next_job(db, "2026-12-04T10:00:00+00:00", "bot-1")
    assert claimed["id"] == first
    assert (claimed["status"], claimed["runner"]) == ("running", "bot-1")
    assert claimed["started_at"] == "2026-12-04T10:00:00+00:00"
    assert rows.claim_next_job(db, "2026-12-04T10:01:00+00:00", "bot-2") is None  # one at once
    again = rows.claim_next_job(db, "2026-12-04T10:01:00+00:00", "bot-2", limit=2)
    assert again["id"] == second
    assert rows.queued_ids(db) == [third]
    rows.finish_job(db, first, JobStatus.FAILED, "out of memory", None)
    assert rows.claim_next_job(db, "2026-12-04T10:02:00+00:00", "bot-1", limit=2)["id"] == third
    assert rows.claim_next_job(db, "2026-12-04T10:03:00+00:00", "bot-1", limit=5) is None


def test_the_limit_counts_running_jobs_of_every_class(db):
    queue(db, "morning", "ana")
    evening = queue(db, "evening", "bo")
    rows.claim_next_job(db, "2026-12-04T10:00:00+00:00", "bot-1")
    assert rows.claim_next_job(db, "2026-12-04T10:00:00+00:00", "bot-1") is None  # one GPU
    assert rows.job(db, evening)["status"] == "queued"


def test_nothing_to_claim_in_an_empty_queue(db):
    assert rows.claim_next_job(db, "2026-12-04T10:00:00+00:00", "bot-1") is None
    assert rows.queued_ids(db) == [] and rows.queued_presets(db) == []
    assert rows.running_presets(db) == []


def test_runner_progress_and_a_successful_finish(db):
    job = queue(db, "morning", "ana")
    rows.claim_next_job(db, "2026-12-04T10:00:00+00:00", "bot-1")
    rows.set_runner(db, job, "ray", None, "raysubmit_abc")
    rows.set_progress(db, job, 0.123456)
    row = rows.job(db, job)
    assert (row["executor"], row["pid"], row["remote_id"]) == ("ray", None, "raysubmit_abc")
    assert row["progress"] == 0.1235
    result = {"dev_accuracy": 0.875, "git_revision": "abc123", "versions": {"torch": "2.5.1"}}
    rows.finish_job(db, job, JobStatus.SUCCEEDED, None, result)
    row = rows.job(db, job)
    assert (row["status"], row["dev_accuracy"], row["progress"]) == ("succeeded", 0.875, 1.0)
    assert json.loads(row["result"]) == result and row["git_revision"] == "abc123"
    assert json.loads(row["versions"]) == {"torch": "2.5.1"} and row["ended_at"]
    assert row["reason"] is None


def test_a_failure_keeps_its_reason_and_its_progress(db):
    job = queue(db, "morning", "ana")
    rows.set_progress(db, job, 0.4)
    rows.finish_job(db, job, JobStatus.CANCELLED, "cancelled by prof", None)
    row = rows.job(db, job)
    assert (row["status"], row["reason"], row["progress"]) == (
        "cancelled",
        "cancelled by prof",
        0.4,
    )
    assert row["result"] is None and row["dev_accuracy"] is None and row["ended_at"]


def test_a_result_without_versions_stores_an_empty_object(db):
    job = queue(db, "morning", "ana")
    rows.finish_job(db, job, JobStatus.SUCCEEDED, None, {"dev_accuracy": 0.5})
    row = rows.job(db, job)
    assert row["versions"] == "{}" and row["git_revision"] is None


def test_active_jobs_of_an_owner_in_every_class(db):
    done = queue(db, "morning", "ana")
    running = queue(db, "morning", "ana")
    queued_elsewhere = queue(db, "evening", "ana")
    queue(db, "morning", "bo")
    rows.finish_job(db, done, JobStatus.SUCCEEDED, None, {"dev_accuracy": 0.8})
    db.execute("UPDATE finetune_jobs SET status = 'running' WHERE id = ?", [running])
    assert [j["id"] for j in rows.active_jobs_of(db, "ana")] == [running, queued_elsewhere]
    assert rows.active_jobs_of(db, "nobody") == []


def test_recent_jobs_are_the_classs_own_newest_first_up_to_the_limit(db):
    ids = [queue(db, s, "ana") for s in ("morning", "evening", "morning", "morning")]
    assert [j["id"] for j in rows.recent_jobs(db, "morning", 2)] == [ids[3], ids[2]]
    assert [j["id"] for j in rows.recent_jobs(db, "morning", 10)] == [ids[3], ids[2], ids[0]]
    assert [j["id"] for j in rows.recent_jobs(db, "evening", 10)] == [ids[1]]
    assert rows.recent_jobs(db, "night", 10) == []


def test_queued_and_running_presets_in_line_order(db):
    old = queue(db, "morning", "ana")  # from before presets
    quick = queue(db, "evening", "bo", "quick")
    full = queue(db, "morning", "cy", "full")
    assert rows.queued_presets(db) == [(old, None), (quick, "quick"), (full, "full")]
    rows.claim_next_job(db, "2026-12-04T10:00:00+00:00", "bot-1", limit=2)
    rows.claim_next_job(db, "2026-12-04T10:05:00+00:00", "bot-1", limit=2)
    assert rows.queued_presets(db) == [(full, "full")]
    assert sorted(rows.running_presets(db), key=lambda r: r[1]) == [
        (None, "2026-12-04T10:00:00+00:00"),
        ("quick", "2026-12-04T10:05:00+00:00"),
    ]


def test_succeeded_jobs_of_a_class_best_first(db):
    accuracies = {"ana": 0.81, "bo": 0.9, "cy": 0.81}
    made = {o: queue(db, "morning", o) for o in accuracies}
    for owner, accuracy in accuracies.items():
        rows.finish_job(db, made[owner], JobStatus.SUCCEEDED, None, {"dev_accuracy": accuracy})
    failed = queue(db, "morning", "dee")
    rows.finish_job(db, failed, JobStatus.FAILED, "diverged", None)
    other = queue(db, "evening", "eve")
    rows.finish_job(db, other, JobStatus.SUCCEEDED, None, {"dev_accuracy": 0.99})
    best = rows.succeeded(db, "morning")
    assert [j["owner"] for j in best] == ["bo", "ana", "cy"]  # a tie: the earlier job first
    assert [j["owner"] for j in rows.succeeded(db, "evening")] == ["eve"]
    assert rows.succeeded(db, "night") == []


def _ran(db: Database, job: int, status: str, start: str, end: str) -> None:
    db.table("finetune_jobs").update(job, {"status": status, "started_at": start, "ended_at": end})


def test_recent_durations_of_a_preset_count_only_succeeded_runs(db):
    quick = queue(db, "morning", "ana", "quick")
    _ran(db, quick, "succeeded", "2026-12-04T10:00:00+00:00", "2026-12-04T10:02:00+00:00")
    old = queue(db, "morning", "bo")  # no preset: counts as the default
    _ran(db, old, "succeeded", "2026-12-04T11:00:00+00:00", "2026-12-04T11:00:30+00:00")
    failed = queue(db, "morning", "cy", "quick")
    _ran(db, failed, "failed", "2026-12-04T12:00:00+00:00", "2026-12-04T12:00:05+00:00")
    later = queue(db, "evening", "dee", "quick")
    _ran(db, later, "succeeded", "2026-12-04T13:00:00+00:00", "2026-12-04T13:01:00+00:00")
    backwards = queue(db, "evening", "eve", "quick")  # a clock that went back: not a duration
    _ran(db, backwards, "succeeded", "2026-12-04T14:00:00+00:00", "2026-12-04T13:59:00+00:00")
    found = rows.recent_durations(db, "quick", "quick")
    assert [round(s) for s in found] == [60, 30, 120]  # newest first
    assert [round(s) for s in rows.recent_durations(db, "quick", "full")] == [60, 120]
    assert [round(s) for s in rows.recent_durations(db, "full", "full")] == [30]
    assert [round(s) for s in rows.recent_durations(db, "quick", "quick", limit=2)] == [60]
    assert rows.recent_durations(db, "huge", "quick") == []


def test_a_cancel_request_is_remembered_per_job(db):
    job = queue(db, "morning", "ana")
    other = queue(db, "morning", "bo")
    assert rows.cancel_request(db, job) is None
    rows.request_cancel(db, job, "prof")
    assert rows.cancel_request(db, job) == "prof"
    assert rows.cancel_request(db, other) is None
    assert rows.cancel_request(db, 404) is None  # no such job


def test_orphans_of_dead_runners_fail_and_come_back_with_their_pid(db):
    alive = queue(db, "morning", "ana")
    dead = queue(db, "evening", "bo")
    waiting = queue(db, "morning", "cy")
    rows.claim_next_job(db, "2026-12-04T10:00:00+00:00", "bot-alive", limit=3)
    rows.claim_next_job(db, "2026-12-04T10:00:00+00:00", "bot-dead", limit=3)
    rows.set_runner(db, dead, "local", 4242, None)
    (orphan,) = rows.fail_orphans(db, {"bot-alive"}, "the bot stopped")
    assert orphan == {
        "id": dead,
        "number": 1,
        "owner": "bo",
        "pid": 4242,
        "executor": "local",
        "remote_id": None,
    }
    row = rows.job(db, dead)
    assert (row["status"], row["reason"]) == ("failed", "the bot stopped") and row["ended_at"]
    assert rows.job(db, alive)["status"] == "running"
    assert rows.job(db, waiting)["status"] == "queued"  # queued work is not orphaned
    assert rows.fail_orphans(db, {"bot-alive"}, "again") == []


def test_final_statuses():
    assert [s.value for s in JobStatus if s.final] == [
        "succeeded",
        "failed",
        "cancelled",
        "interrupted",
    ]
    assert not JobStatus.QUEUED.final and not JobStatus.RUNNING.final
    assert JobStatus("running") == "running"
