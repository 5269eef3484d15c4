"""Fine-tunes on a real Ray cluster: a head started on 127.0.0.1 by these tests, the real
trainer submitted as Ray Jobs, its events and its model coming back through the job's log."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
from ray.job_submission import JobStatus, JobSubmissionClient

from bot.app.finetune import InterruptedJob
from bot.app.tutor import Tutor
from tests.bot.app.test_finetune import quick, row
from tests.helpers import crash, wait_for, who

pytestmark = pytest.mark.slow
TIMEOUT = 180


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _processes_under(folder: Path) -> list[psutil.Process]:
    """This cluster's processes (each names its session folder on its command line)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if any(str(folder) in part for part in process.info["cmdline"] or []):
            found.append(process)
    return found


@pytest.fixture(scope="module")
def ray_address():
    """A one-node Ray cluster of our own, stopped afterwards without touching any other."""
    gcs, dashboard, agent, client = _free_ports(4)
    folder = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))  # short: Ray's socket paths
    ray = Path(sys.executable).with_name("ray")
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    subprocess.run(
        [
            str(ray),
            "start",
            "--head",
            "--node-ip-address=127.0.0.1",
            f"--port={gcs}",
            "--dashboard-host=127.0.0.1",
            f"--dashboard-port={dashboard}",
            f"--dashboard-agent-listen-port={agent}",
            f"--ray-client-server-port={client}",
            "--num-cpus=2",
            "--num-gpus=0",
            "--object-store-memory=100000000",
            "--include-dashboard=true",
            "--disable-usage-stats",
            f"--temp-dir={folder}",
        ],
        check=True,
        env=env,
        capture_output=True,
        timeout=120,
    )
    address = f"http://127.0.0.1:{dashboard}"

    def answers() -> bool:
        try:
            JobSubmissionClient(address).list_jobs()
            return True
        except Exception:
            return False

    try:
        assert wait_for(answers, 60), "the Ray head did not answer"
        yield address
    finally:
        for process in _processes_under(folder):
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()


@pytest.fixture
def ray_settings(settings, sentiment_data, ray_address):
    return settings.model_copy(
        update={
            "finetune_data": sentiment_data,
            "finetune_executor": "ray",
            "finetune_ray_address": ray_address,
            "finetune_ray_python": sys.executable,
        }
    )


@pytest.fixture
def ray_tutor(ray_settings, encoder):
    tutor = Tutor(ray_settings, encoder=encoder)
    tutor.job_events = []
    tutor.finetunes.subscribe(tutor.job_events.append)
    yield tutor
    tutor.close()


def _ray_status(address: str, remote_id: str) -> JobStatus:
    return JobSubmissionClient(address).get_job_status(remote_id)


def _trainer_on_the_cluster() -> psutil.Process | None:
    for process in psutil.process_iter(["cmdline"]):
        line = process.info["cmdline"] or []
        if "skills.finetune.train" in line and "--send-outputs" in line:
            return process
    return None


def _progressed(tutor, job_id: int) -> bool:
    return any(e.job_id == job_id and e.kind == "progress" for e in tutor.job_events)


def test_a_job_runs_on_the_cluster_and_its_model_comes_back(
    ray_tutor, ray_address, tiny_classifier_dir
):
    job_id = ray_tutor.finetunes.start(who("ana"), team="team2", **quick(tiny_classifier_dir))
    job = ray_tutor.finetunes.wait(job_id, TIMEOUT)
    assert job.status == "succeeded", job.reason
    assert job.dev_accuracy >= 0.9
    stored = row(ray_tutor, job_id)
    assert stored["executor"] == "ray" and stored["pid"] is None
    assert _ray_status(ray_address, stored["remote_id"]) == JobStatus.SUCCEEDED
    kinds = [e.kind for e in ray_tutor.job_events if e.job_id == job_id]
    assert kinds[0] == "queued" and "started" in kinds and "progress" in kinds
    assert kinds[-1] == "succeeded"
    # The adapter and the loss curve were written on a Ray worker and sent back here.
    folder = ray_settings_folder(ray_tutor) / f"job-{job_id}"
    saved, curve = Path(job.result["saved"]), Path(job.result["loss_curve"])
    assert saved.is_relative_to(folder) and (saved / "adapter_config.json").is_file()
    assert curve.is_relative_to(folder) and curve.read_bytes()[:4] == b"\x89PNG"
    reply = ray_tutor.finetunes.try_model(who("ana"), job_id, "a wonderful film")
    assert reply.fine_tuned.label == "1 (positive)"  # the tiny set names its labels
    board = ray_tutor.finetunes.leaderboard("console")
    assert [t.name for t in board.teams] == ["team2"]


def ray_settings_folder(tutor) -> Path:
    return tutor.settings.data_dir / "finetune"


def test_a_worker_killed_mid_run_fails_the_job_and_the_queue_moves_on(
    ray_tutor, tiny_classifier_dir
):
    long = ray_tutor.finetunes.start(
        who("ana"), **quick(tiny_classifier_dir, epochs=20, batch_size=1)
    )
    after = ray_tutor.finetunes.start(who("bo"), **quick(tiny_classifier_dir))
    assert wait_for(lambda: _progressed(ray_tutor, long), TIMEOUT)
    trainer = _trainer_on_the_cluster()
    assert trainer is not None
    trainer.send_signal(signal.SIGKILL)
    job = ray_tutor.finetunes.wait(long, TIMEOUT)
    assert job.status == "failed"
    assert "killed (SIGKILL) on the Ray cluster" in job.reason, job.reason
    assert ray_tutor.finetunes.wait(after, TIMEOUT).status == "succeeded"


def test_cancel_and_the_time_limit_stop_the_ray_job(ray_tutor, ray_address, tiny_classifier_dir):
    job_id = ray_tutor.finetunes.start(
        who("ana"), **quick(tiny_classifier_dir, epochs=20, batch_size=1)
    )
    assert wait_for(lambda: _progressed(ray_tutor, job_id), TIMEOUT)
    assert "being stopped" in ray_tutor.finetunes.cancel(who("ana"), job_id)
    job = ray_tutor.finetunes.wait(job_id, TIMEOUT)
    assert job.status == "cancelled" and job.reason == "cancelled by ana"
    remote = row(ray_tutor, job_id)["remote_id"]
    assert wait_for(lambda: _ray_status(ray_address, remote) == JobStatus.STOPPED, 30)

    ray_tutor.finetunes.max_seconds = 3  # below the settings' floor, to keep the test short
    limited = ray_tutor.finetunes.start(
        who("bo"), **quick(tiny_classifier_dir, epochs=20, batch_size=1)
    )
    job = ray_tutor.finetunes.wait(limited, TIMEOUT)
    assert job.status == "failed" and "3 s limit" in job.reason


def test_a_restart_fails_the_job_and_stops_it_on_the_cluster(
    ray_settings, ray_address, encoder, tiny_classifier_dir
):
    first = Tutor(ray_settings, encoder=encoder)
    job_id = first.finetunes.start(
        who("ana"), **quick(tiny_classifier_dir, epochs=20, batch_size=1)
    )
    assert wait_for(lambda: (row(first, job_id) or {}).get("remote_id"), TIMEOUT)
    remote = row(first, job_id)["remote_id"]
    crash(first)  # no clean shutdown: the Ray job runs on with nobody reading it
    second = Tutor(ray_settings, encoder=encoder)
    try:
        assert second.recover_interrupted().jobs == [InterruptedJob(job_id, 1, "ana")]
        assert second.finetunes.job(job_id).status == "failed"
        assert wait_for(lambda: _ray_status(ray_address, remote).is_terminal(), 30)
        assert _ray_status(ray_address, remote) == JobStatus.STOPPED
    finally:
        second.close()


def test_an_unreachable_cluster_fails_each_job_with_the_reason(
    settings, encoder, sentiment_data, tiny_classifier_dir
):
    (port,) = _free_ports(1)  # nothing listens there
    nowhere = settings.model_copy(
        update={
            "finetune_data": sentiment_data,
            "finetune_executor": "ray",
            "finetune_ray_address": f"http://127.0.0.1:{port}",
        }
    )
    tutor = Tutor(nowhere, encoder=encoder)
    events = []
    tutor.finetunes.subscribe(events.append)
    try:
        began = time.monotonic()
        first = tutor.finetunes.start(who("ana"), **quick(tiny_classifier_dir))
        second = tutor.finetunes.start(who("bo"), **quick(tiny_classifier_dir))
        for job_id in (first, second):
            job = tutor.finetunes.wait(job_id, 60)
            assert job.status == "failed"
            assert job.reason.startswith(
                f"could not start: the Ray cluster at http://127.0.0.1:{port} did not answer"
            )
        assert time.monotonic() - began < 60
        failed = [e for e in events if e.kind == "failed"]
        assert [e.job_id for e in failed] == [first, second]  # each owner is told
    finally:
        tutor.close()
