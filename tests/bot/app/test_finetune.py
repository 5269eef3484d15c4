"""The job runner with real training processes (a tiny model, a few hundred examples)."""

import contextlib
import json
import os
import signal
from dataclasses import replace

import psutil
import pytest

from bot.app.finetune import InterruptedJob
from bot.app.tutor import Tutor
from bot.errors import TutorError
from bot.render.text import render_job_event, render_jobs
from bot.store import jobs as job_rows
from tests.helpers import crash, wait_for, who

TIMEOUT = 120


def row(tutor, job_id):
    """The job's database row (pid, config and all)."""
    return tutor.store.run(job_rows.job, job_id)


@pytest.fixture
def jobs_tutor(settings, encoder, tiny_classifier_dir, sentiment_data):
    tutor = Tutor(settings.model_copy(update={"finetune_data": sentiment_data}), encoder=encoder)
    tutor.job_events = []
    tutor.finetunes.subscribe(tutor.job_events.append)
    yield tutor
    tutor.close()


def quick(tiny_classifier_dir, **extra):
    return {
        "model": str(tiny_classifier_dir),
        "epochs": 3,
        "lora_r": 8,
        "learning_rate": 5e-3,
        **extra,
    }


def test_a_job_runs_to_the_end_and_counts_for_its_team(jobs_tutor, tiny_classifier_dir):
    job_id = jobs_tutor.finetunes.start(who("ana"), team="team3", **quick(tiny_classifier_dir))
    job = jobs_tutor.finetunes.wait(job_id, TIMEOUT)
    assert job.status == "succeeded", job.reason
    assert job.dev_accuracy >= 0.9 and job.progress == 1.0
    kinds = [e.kind for e in jobs_tutor.job_events]
    assert kinds[0] == "queued" and "started" in kinds and kinds[-1] == "succeeded"
    final = jobs_tutor.job_events[-1].data
    assert final["trainable_params"] < final["total_params"] and final["loss_curve"].endswith(
        ".png"
    )
    board = jobs_tutor.finetunes.leaderboard("console")
    (team,) = board.teams
    (student,) = board.students
    assert (team.name, team.dev_accuracy, team.runs, team.method) == (
        "team3",
        job.dev_accuracy,
        1,
        "lora",
    )
    assert student.name == "ana" and 0 < team.trainable_share < 0.5 and team.train_seconds > 0
    stored = row(jobs_tutor, job_id)
    assert stored["git_revision"] and json.loads(stored["versions"])["torch"]
    kinds = [e.kind for e in jobs_tutor.job_events]
    assert "evaluation" in kinds  # dev accuracy measured during training
    assert final["evaluations"] and final["diagnosis"] is None
    from bot.render.text import render_finetune_leaderboard

    text = render_finetune_leaderboard(board)
    assert "team3" in text and "ana" in text and "RoBERTa 94%" in text


def test_a_relative_data_path_means_where_the_user_typed_it(
    jobs_tutor, tiny_classifier_dir, sentiment_data, monkeypatch
):
    """The trainer runs inside its job folder; the path must still mean the user's folder."""
    monkeypatch.chdir(sentiment_data.parent)
    job_id = jobs_tutor.finetunes.start(
        who("ana"), data=sentiment_data.name, **quick(tiny_classifier_dir, epochs=1)
    )
    stored = json.loads(row(jobs_tutor, job_id)["config"])
    assert stored["data"] == str(sentiment_data.resolve())
    job = jobs_tutor.finetunes.wait(job_id, TIMEOUT)
    assert job.status == "succeeded", job.reason


def test_bad_configs_are_refused_before_anything_starts(jobs_tutor, tiny_classifier_dir, tmp_path):
    for options, message in [
        ({"lora_r": 0}, "LoRA rank"),
        ({"model": "no/such-model"}, "unknown model"),
        ({"data": str(tmp_path / "missing.tsv")}, "not found"),
        ({"method": "dream"}, "method"),
    ]:
        with pytest.raises(TutorError, match=message):
            jobs_tutor.finetunes.start(who("ana"), **{**quick(tiny_classifier_dir), **options})
    assert jobs_tutor.finetunes.jobs("console") == []


def test_queue_one_job_per_user_and_cancel(jobs_tutor, tiny_classifier_dir):
    first = jobs_tutor.finetunes.start(
        who("ana"), **quick(tiny_classifier_dir, epochs=20, batch_size=1)
    )
    with pytest.raises(TutorError, match="already have job"):
        jobs_tutor.finetunes.start(who("ana"), **quick(tiny_classifier_dir))
    second = jobs_tutor.finetunes.start(who("bo"), **quick(tiny_classifier_dir))
    assert row(jobs_tutor, second)["status"] == "queued"
    assert wait_for(lambda: row(jobs_tutor, first)["status"] == "running")
    with pytest.raises(Exception, match="owner or the instructor"):
        jobs_tutor.finetunes.cancel(who("bo"), first)
    # another class's instructor: no job of theirs, the same answer as a number that is not there
    other_class = replace(who("prof", instructor=True), server="another class")
    with pytest.raises(TutorError, match=f"No job #{first}\\.$"):
        jobs_tutor.finetunes.cancel(other_class, first)
    jobs_tutor.finetunes.cancel(who("ana"), first)
    assert jobs_tutor.finetunes.wait(first, 30).status == "cancelled"
    assert jobs_tutor.finetunes.wait(second, TIMEOUT).status == "succeeded"  # the next one ran


def test_a_killed_training_process_fails_the_job_with_a_reason(jobs_tutor, tiny_classifier_dir):
    job_id = jobs_tutor.finetunes.start(
        who("ana"), **quick(tiny_classifier_dir, epochs=20, batch_size=1)
    )
    assert wait_for(lambda: (row(jobs_tutor, job_id) or {}).get("pid"))
    os.kill(row(jobs_tutor, job_id)["pid"], signal.SIGKILL)
    job = jobs_tutor.finetunes.wait(job_id, 30)
    assert job.status == "failed" and "killed (SIGKILL)" in job.reason


def test_time_limit_kills_the_job(settings, encoder, tiny_classifier_dir, sentiment_data):
    limited = settings.model_copy(
        update={"finetune_data": sentiment_data, "finetune_max_seconds": 10}
    )
    tutor = Tutor(limited, encoder=encoder)
    try:
        tutor.finetunes.max_seconds = 2  # below the settings' floor, to keep the test short
        job_id = tutor.finetunes.start(
            who("ana"), **quick(tiny_classifier_dir, epochs=20, batch_size=1)
        )
        job = tutor.finetunes.wait(job_id, 60)
        assert job.status == "failed" and "2 s limit" in job.reason
    finally:
        tutor.close()


def test_restart_marks_running_jobs_interrupted(
    settings, encoder, tiny_classifier_dir, sentiment_data
):
    configured = settings.model_copy(update={"finetune_data": sentiment_data})
    first = Tutor(configured, encoder=encoder)
    job_id = first.finetunes.start(
        who("ana"), **quick(tiny_classifier_dir, epochs=20, batch_size=1)
    )
    assert wait_for(lambda: row(first, job_id)["status"] == "running")
    pid = row(first, job_id)["pid"]
    crash(first)  # no stop, no clean shutdown; its lease runs out
    second = Tutor(configured, encoder=encoder)
    try:
        assert second.recover_interrupted().jobs == [InterruptedJob(job_id, 1, "ana")]
        job = second.finetunes.job(job_id)
        assert job.status == "failed" and "the process that ran it stopped" in job.reason
        assert wait_for(lambda: not _alive(pid), 15)  # the orphan does not keep the GPU
    finally:
        second.close()


def test_only_allowed_users_may_launch(settings, encoder, tiny_classifier_dir, sentiment_data):
    tutor = Tutor(
        settings.model_copy(update={"finetune_data": sentiment_data, "finetune_users": ["prof"]}),
        encoder=encoder,
    )
    try:
        with pytest.raises(TutorError, match="not on the list"):
            tutor.finetunes.start(who("ana"), **quick(tiny_classifier_dir))
    finally:
        tutor.close()


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it was our child
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_one_running_job_is_a_database_rule_across_processes(jobs_tutor, tiny_classifier_dir):
    """Two runners (the bot and a `tutor finetune` in a terminal) share one database."""
    from bot.store.jobs import claim_next_job

    store = jobs_tutor.store
    config = jobs_tutor.finetunes.config(**quick(tiny_classifier_dir))
    rows = [
        {"owner": o, "status": "queued", "config": json.dumps(config.to_json()), "created_at": "t"}
        for o in ("a", "b")
    ]
    store.run(lambda db: db.table("finetune_jobs").insert_all(rows))
    first = store.write(claim_next_job, "now", "runner-1")
    assert first["owner"] == "a" and first["status"] == "running"
    assert store.write(claim_next_job, "now", "runner-1") is None  # b waits while a runs
    store.run(lambda db: db.table("finetune_jobs").update(first["id"], {"status": "succeeded"}))
    assert store.write(claim_next_job, "now", "runner-1")["owner"] == "b"


def test_a_result_at_chance_says_why_and_what_to_try(jobs_tutor, tiny_classifier_dir):
    job_id = jobs_tutor.finetunes.start(
        who("ana"), **quick(tiny_classifier_dir, epochs=0.05, learning_rate=1e-6)
    )
    job = jobs_tutor.finetunes.wait(job_id, TIMEOUT)
    assert job.status == "succeeded"
    assert "at chance" in job.result["diagnosis"] and "Try:" in job.result["diagnosis"]


def test_the_queue_says_where_you_stand(jobs_tutor, tiny_classifier_dir):
    first = jobs_tutor.finetunes.start(
        who("ana"), **quick(tiny_classifier_dir, epochs=20, batch_size=1)
    )
    second = jobs_tutor.finetunes.start(who("bo"), **quick(tiny_classifier_dir))
    queued = [e for e in jobs_tutor.job_events if e.kind == "queued"]
    assert queued[-1].job_id == second and queued[-1].data["position"] == 1
    jobs_tutor.finetunes.cancel(who("prof", instructor=True), first)  # the instructor may
    assert jobs_tutor.finetunes.wait(second, TIMEOUT).status == "succeeded"
    third = jobs_tutor.finetunes.start(
        who("cy"), **quick(tiny_classifier_dir, epochs=20, batch_size=1)
    )
    fourth = jobs_tutor.finetunes.start(who("di"), **quick(tiny_classifier_dir))
    position, wait = jobs_tutor.finetunes.wait_estimate(fourth)
    assert position == 1 and wait is not None and wait > 0  # from the jobs that finished
    jobs_tutor.finetunes.cancel(who("prof", instructor=True), third)
    jobs_tutor.finetunes.cancel(who("prof", instructor=True), fourth)


@pytest.mark.parametrize("pooling", ["cls", "mean"])
def test_try_your_model_beside_the_untrained_base(jobs_tutor, tiny_classifier_dir, pooling):
    from bot.terminal.console import ConsoleSession

    job_id = jobs_tutor.finetunes.start(who("ana"), **quick(tiny_classifier_dir, pooling=pooling))
    assert jobs_tutor.finetunes.wait(job_id, TIMEOUT).status == "succeeded"
    reply = jobs_tutor.finetunes.try_model(
        who("bea"), job_id, "a wonderful film , truly wonderful ."
    )
    assert reply.fine_tuned.label == "1 (positive)"
    assert reply.fine_tuned.probabilities["1 (positive)"] > 0.8
    assert sum(reply.untrained.probabilities.values()) == pytest.approx(1, abs=1e-3)
    text = ConsoleSession(jobs_tutor, who("ana")).handle(
        f"/finetune try {job_id} a dreadful plot , truly dreadful ."
    )
    assert "fine-tuned:" in text and "0 (negative)" in text and "untrained head" in text
    with pytest.raises(TutorError, match="No job #99"):
        jobs_tutor.finetunes.try_model(who("ana"), 99, "hello")
    # another class's job is no job of yours: the same answer as a number that does not exist
    elsewhere = replace(who("ana"), server="another class")
    with pytest.raises(TutorError, match=f"No job #{job_id}\\.$"):
        jobs_tutor.finetunes.try_model(elsewhere, job_id, "a wonderful film")


def test_each_class_numbers_its_own_jobs(jobs_tutor, tiny_classifier_dir):
    """A second class's first job is its job #1; a number typed there means its own job."""
    first = jobs_tutor.finetunes.start(
        who("ana"), **quick(tiny_classifier_dir, epochs=20, batch_size=1)
    )
    elsewhere = replace(who("bo"), server="another class")
    theirs = jobs_tutor.finetunes.start(elsewhere, **quick(tiny_classifier_dir))
    assert theirs != first
    assert jobs_tutor.finetunes.number_of(first) == jobs_tutor.finetunes.number_of(theirs) == 1
    (queued,) = [e for e in jobs_tutor.job_events if e.kind == "queued" and e.job_id == theirs]
    assert render_job_event(queued).startswith("[job #1, bo] queued")
    assert render_jobs(jobs_tutor.finetunes.jobs("another class")).startswith("#1 queued")
    # "cancel 1" in the other class is its own job #1, never ana's running one
    assert jobs_tutor.finetunes.cancel(elsewhere, 1) == "Job #1 removed from the queue."
    assert row(jobs_tutor, theirs)["status"] == "cancelled"
    assert row(jobs_tutor, first)["status"] in ("queued", "running")
    jobs_tutor.finetunes.cancel(who("ana"), 1)
    assert jobs_tutor.finetunes.wait(first, 30).status == "cancelled"
