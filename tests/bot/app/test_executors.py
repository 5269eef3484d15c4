"""Several jobs at once where the hardware allows, and honest waits: the local executor's
slots and GPU placement (a stand-in trainer, since CI has no GPU), and the queue's estimate."""

import json
import stat
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.app.executors import LocalExecutor, visible_gpus
from bot.app.tutor import Tutor
from bot.store import jobs as job_rows
from skills.finetune.presets import PRESETS, Expected
from tests.bot.app.test_finetune import quick
from tests.helpers import wait_for, who

# Reports what a trainer would see (its GPU, its memory share), then waits until the test
# lets it finish: the test can watch how many run at once.
FAKE_TRAINER = textwrap.dedent(
    """\
    #!{python}
    import json, os, sys, time
    from pathlib import Path
    config = json.loads(Path(sys.argv[3]).read_text())
    print(json.dumps({{"event": "started", "model": "fake", "method": "lora", "device": "cuda",
        "trainable_params": 1, "total_params": 2, "train_examples": 1, "total_steps": 1}}),
        flush=True)
    gate = Path(config["output_dir"]).parent.parent / "go"
    while not gate.exists():
        time.sleep(0.05)
    print(json.dumps({{"event": "finished", "dev_accuracy": 0.5, "train_seconds": 0.1,
        "config": config, "gpu": os.environ.get("CUDA_VISIBLE_DEVICES"),
        "memory_fraction": config["gpu_memory_fraction"]}}), flush=True)
    """
)


@pytest.fixture
def fake_trainer(tmp_path):
    script = tmp_path / "fake-python"
    script.write_text(FAKE_TRAINER.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


@pytest.fixture
def tutor(settings, encoder, sentiment_data):
    tutor = Tutor(settings.model_copy(update={"finetune_data": sentiment_data}), encoder=encoder)
    yield tutor
    tutor.close()


def test_a_cpu_runs_one_job_at_a_time_whatever_the_setting(fake_trainer, monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")  # no nvidia-smi: no GPU
    assert visible_gpus() == []
    assert LocalExecutor(fake_trainer, concurrency=8).slots() == 1
    assert LocalExecutor(fake_trainer, concurrency=8, gpus=["0"]).slots() == 8
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,3")  # the instructor's choice wins
    assert visible_gpus() == ["2", "3"]


def test_jobs_spread_over_the_gpus_and_share_one_within_its_memory(
    tutor, fake_trainer, tiny_classifier_dir
):
    tutor.finetunes.executor = LocalExecutor(fake_trainer, concurrency=3, gpus=["0", "1"])
    ids = [
        tutor.finetunes.start(who(name), **quick(tiny_classifier_dir))
        for name in ("ana", "bo", "cy", "di")
    ]
    statuses = lambda: [tutor.finetunes.job(i).status for i in ids]  # noqa: E731
    assert wait_for(lambda: statuses().count("running") == 3)
    assert statuses()[3] == "queued"  # the fourth waits for a free slot
    (tutor.settings.data_dir / "go").touch()
    done = [tutor.finetunes.wait(i, 60) for i in ids]
    assert [j.status for j in done] == ["succeeded"] * 4
    placed = [(j.result["gpu"], j.result["memory_fraction"]) for j in done[:3]]
    # Slots 0, 1, 2 on GPUs 0, 1, 0: two jobs share a GPU, so each gets under half of it.
    assert placed == [("0", 0.475), ("1", 0.475), ("0", 0.475)]


def _insert(tutor, owner, status, preset, started=None, ended=None):
    config = {"preset": preset}
    row = {
        "owner": owner,
        "status": status,
        "config": json.dumps(config),
        "created_at": "2026-01-01T00:00:00+00:00",
        "started_at": started,
        "ended_at": ended,
    }
    return tutor.store.run(lambda db: db.table("finetune_jobs").insert(row).last_pk)


def _ago(seconds: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="seconds")


def test_the_wait_counts_the_jobs_ahead_what_is_left_of_the_running_ones_and_the_slots(
    tutor, fake_trainer, monkeypatch
):
    # Two slots need a GPU; say quick was measured on one (standard stays unmeasured there).
    quick_seconds = 17.0
    gpu_figure = Expected(quick_seconds, 0.8, "a test GPU")
    monkeypatch.setitem(PRESETS, "quick", replace(PRESETS["quick"], gpu=gpu_figure))
    tutor.finetunes.executor = LocalExecutor(fake_trainer, concurrency=2, gpus=["0"])
    _insert(tutor, "a", "running", "quick", started=_ago(quick_seconds - 6))
    _insert(tutor, "b", "running", "quick", started=_ago(quick_seconds - 6))
    queued = [_insert(tutor, o, "queued", "quick") for o in ("c", "d", "e")]
    waits = [tutor.finetunes.wait_estimate(job) for job in queued]
    # Before any job here finished, the preset's measured figure: both slots free in about
    # 6 s; the third in line waits for one of the first two as well (times stored to the s).
    assert [position for position, _ in waits] == [1, 2, 3]
    expected = [6, 6, 6 + quick_seconds]
    assert all(abs(wait - e) <= 1.5 for (_, wait), e in zip(waits, expected, strict=True))
    # Once quick jobs have run here, their real times (load and all) replace the figure.
    for owner in ("f", "g", "h"):
        _insert(tutor, owner, "succeeded", "quick", started=_ago(100), ended=_ago(40))
    _, wait = tutor.finetunes.wait_estimate(queued[2])
    assert abs(wait - (60 - (quick_seconds - 6) + 60)) <= 1.5
    # A job behind one whose preset nobody measured on this hardware (a GPU here) and that
    # never ran here: no number is made up.
    _insert(tutor, "i", "queued", "standard")
    behind = _insert(tutor, "j", "queued", "quick")
    assert tutor.store.run(job_rows.recent_durations, "standard", "standard") == []
    assert tutor.finetunes.wait_estimate(behind) == (5, None)
