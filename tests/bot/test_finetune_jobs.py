"""The job runner with real training processes (a tiny model, a few hundred examples)."""

import contextlib
import json
import os
import signal
import time
from pathlib import Path

import pytest

from bot.services import Tutor, UserInputError

TIMEOUT = 120


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


def wait_for(condition, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_job_runs_to_the_end_and_counts_for_its_team(jobs_tutor, tiny_classifier_dir):
    job_id = jobs_tutor.start_finetune(owner="ana", team="team3", **quick(tiny_classifier_dir))
    job = jobs_tutor.finetunes.wait(job_id, TIMEOUT)
    assert job["status"] == "succeeded", job["reason"]
    assert job["dev_accuracy"] >= 0.9 and job["progress"] == 1.0
    kinds = [e.kind for e in jobs_tutor.job_events]
    assert kinds[0] == "queued" and "started" in kinds and kinds[-1] == "succeeded"
    final = jobs_tutor.job_events[-1].data
    assert final["trainable_params"] < final["total_params"] and final["loss_curve"].endswith(
        ".png"
    )
    assert jobs_tutor.finetunes.leaderboard() == [
        {"team": 3, "dev_accuracy": job["dev_accuracy"], "runs": 1}
    ]


def test_a_relative_data_path_means_where_the_user_typed_it(
    jobs_tutor, tiny_classifier_dir, sentiment_data, monkeypatch
):
    """The trainer runs inside its job folder; the path must still mean the user's folder."""
    monkeypatch.chdir(sentiment_data.parent)
    job_id = jobs_tutor.start_finetune(
        owner="ana", data=sentiment_data.name, **quick(tiny_classifier_dir, epochs=1)
    )
    stored = json.loads(jobs_tutor.finetunes.job(job_id)["config"])
    assert stored["data"] == str(sentiment_data.resolve())
    job = jobs_tutor.finetunes.wait(job_id, TIMEOUT)
    assert job["status"] == "succeeded", job["reason"]


def test_bad_configs_are_refused_before_anything_starts(jobs_tutor, tiny_classifier_dir, tmp_path):
    for options, message in [
        ({"lora_r": 0}, "LoRA rank"),
        ({"model": "no/such-model"}, "unknown model"),
        ({"data": str(tmp_path / "missing.tsv")}, "not found"),
        ({"method": "dream"}, "method"),
    ]:
        with pytest.raises(UserInputError, match=message):
            jobs_tutor.start_finetune(owner="ana", **{**quick(tiny_classifier_dir), **options})
    assert jobs_tutor.finetunes.jobs() == []


def test_queue_one_job_per_user_and_cancel(jobs_tutor, tiny_classifier_dir):
    first = jobs_tutor.start_finetune(
        owner="ana", **quick(tiny_classifier_dir, epochs=20, batch_size=1)
    )
    with pytest.raises(UserInputError, match="already have job"):
        jobs_tutor.start_finetune(owner="ana", **quick(tiny_classifier_dir))
    second = jobs_tutor.start_finetune(owner="bo", **quick(tiny_classifier_dir))
    assert jobs_tutor.finetunes.job(second)["status"] == "queued"
    assert wait_for(lambda: jobs_tutor.finetunes.job(first)["status"] == "running")
    with pytest.raises(Exception, match="owner or the instructor"):
        jobs_tutor.finetunes.cancel(first, by="bo")
    jobs_tutor.finetunes.cancel(first, by="ana")
    assert jobs_tutor.finetunes.wait(first, 30)["status"] == "cancelled"
    assert jobs_tutor.finetunes.wait(second, TIMEOUT)["status"] == "succeeded"  # the next one ran


def test_a_killed_training_process_fails_the_job_with_a_reason(jobs_tutor, tiny_classifier_dir):
    job_id = jobs_tutor.start_finetune(
        owner="ana", **quick(tiny_classifier_dir, epochs=20, batch_size=1)
    )
    assert wait_for(lambda: (jobs_tutor.finetunes.job(job_id) or {}).get("pid"))
    os.kill(jobs_tutor.finetunes.job(job_id)["pid"], signal.SIGKILL)
    job = jobs_tutor.finetunes.wait(job_id, 30)
    assert job["status"] == "failed" and "killed (SIGKILL)" in job["reason"]


def test_time_limit_kills_the_job(settings, encoder, tiny_classifier_dir, sentiment_data):
    limited = settings.model_copy(
        update={"finetune_data": sentiment_data, "finetune_max_seconds": 10}
    )
    tutor = Tutor(limited, encoder=encoder)
    try:
        tutor.finetunes.max_seconds = 2  # below the settings' floor, to keep the test short
        job_id = tutor.start_finetune(
            owner="ana", **quick(tiny_classifier_dir, epochs=20, batch_size=1)
        )
        job = tutor.finetunes.wait(job_id, 60)
        assert job["status"] == "failed" and "2 s limit" in job["reason"]
    finally:
        tutor.close()


def test_restart_marks_running_jobs_interrupted(
    settings, encoder, tiny_classifier_dir, sentiment_data
):
    configured = settings.model_copy(update={"finetune_data": sentiment_data})
    first = Tutor(configured, encoder=encoder)
    job_id = first.start_finetune(
        owner="ana", **quick(tiny_classifier_dir, epochs=20, batch_size=1)
    )
    assert wait_for(lambda: first.finetunes.job(job_id)["status"] == "running")
    pid = first.finetunes.job(job_id)["pid"]
    first.store.close()  # the bot dies; its training process lives on
    second = Tutor(configured, encoder=encoder)
    try:
        assert second.recover_interrupted()["jobs"] == [{"id": job_id, "owner": "ana"}]
        job = second.finetunes.job(job_id)
        assert job["status"] == "interrupted" and "restarted" in job["reason"]
        assert wait_for(lambda: not _alive(pid), 15)  # the orphan does not keep the GPU
    finally:
        second.close()


def test_only_allowed_users_may_launch(settings, encoder, tiny_classifier_dir, sentiment_data):
    tutor = Tutor(
        settings.model_copy(update={"finetune_data": sentiment_data, "finetune_users": ["prof"]}),
        encoder=encoder,
    )
    try:
        with pytest.raises(UserInputError, match="not on the list"):
            tutor.start_finetune(owner="ana", **quick(tiny_classifier_dir))
    finally:
        tutor.close()


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it was our child
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.split()[2] != "Z"


def test_one_running_job_is_a_database_rule_across_processes(jobs_tutor, tiny_classifier_dir):
    """Two runners (the bot and a `tutor finetune` in a terminal) share one database."""
    from bot.finetune import claim_next_job

    store = jobs_tutor.store
    config = jobs_tutor.finetune_config(**quick(tiny_classifier_dir))
    rows = [
        {"owner": o, "status": "queued", "config": json.dumps(config.to_json()), "created_at": "t"}
        for o in ("a", "b")
    ]
    store.run(lambda db: db.table("finetune_jobs").insert_all(rows))
    first = store.run(claim_next_job, "now")
    assert first["owner"] == "a" and first["status"] == "running"
    assert store.run(claim_next_job, "now") is None  # b waits while a runs
    store.run(lambda db: db.table("finetune_jobs").update(first["id"], {"status": "succeeded"}))
    assert store.run(claim_next_job, "now")["owner"] == "b"
