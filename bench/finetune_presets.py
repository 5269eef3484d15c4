"""What each fine-tune preset costs and gives here, and how honest the queue's wait estimate is.

    python bench/finetune_presets.py [--presets quick standard best] [--runs 2]
    python bench/finetune_presets.py --queue 10 --preset quick     # a class pressing start at once

Every job goes through the real job runner (bot.app.finetune: the queue in SQLite, a fresh
`python -m skills.finetune.train` per job) on the packaged SST-2 subset, in a throwaway data
folder. A job's seconds are its row's started_at to ended_at: what the next student in line
waits for, the figure `skills/finetune/presets.py` shows before a job starts.

With --queue N, N students start a job within a second; the script prints, per job, the wait
the bot announced when it was queued and the real wait (created_at to started_at), the error
of the estimate, and the time from the first start to the last result (a class's whole
competition). Run it on a quiet machine for the preset figures; under load for the estimate.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.app.context import Actor  # noqa: E402
from bot.app.tutor import Tutor  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.store import jobs as job_rows  # noqa: E402
from skills.finetune.presets import PRESETS  # noqa: E402


def student(n: int) -> Actor:
    return Actor(user=f"student{n}", name=f"Student {n}", server="console", channel="bench")


def seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def run_presets(tutor: Tutor, names: list[str], runs: int) -> None:
    print("preset     job seconds (start to end)   training s   dev accuracy")
    for name in names:
        for n in range(runs):
            job_id = tutor.finetunes.start(student(n), preset=name)
            job = tutor.finetunes.wait(job_id, timeout=3600)
            assert job is not None
            if job.status != "succeeded":
                raise SystemExit(f"{name}: job {job_id} {job.status}: {job.reason}")
            row = tutor.store.run(job_rows.job, job_id)
            wall = seconds_between(row["started_at"], row["ended_at"])
            assert job.result is not None and job.dev_accuracy is not None
            print(
                f"{name:<10} {wall:8.1f}                    "
                f"{job.result['train_seconds']:8.1f}     {job.dev_accuracy:.1%}"
            )


def run_queue(tutor: Tutor, preset: str, count: int) -> None:
    announced: dict[int, float | None] = {}
    tutor.finetunes.subscribe(
        lambda e: (
            announced.__setitem__(e.job_id, e.data.get("wait_seconds"))
            if e.kind == "queued"
            else None
        )
    )
    began = time.monotonic()
    ids = [tutor.finetunes.start(student(n), preset=preset) for n in range(count)]
    print(f"{count} jobs of preset {preset} queued in {time.monotonic() - began:.1f} s")
    for job_id in ids:
        tutor.finetunes.wait(job_id, timeout=3600)
    rows = [tutor.store.run(job_rows.job, job_id) for job_id in ids]
    print("job  announced wait   real wait   error    job seconds   status   dev")
    errors = []
    for row in rows:
        real = seconds_between(row["created_at"], row["started_at"])
        said = announced.get(row["id"])
        error = None if said is None else said - real
        if error is not None and real > 0:
            errors.append(error)
        shown = "-" if said is None else f"{said:7.0f} s"
        print(
            f"{row['id']:>3}  {shown:>14}   {real:7.0f} s  "
            + ("     -" if error is None else f"{error:+6.0f}")
            + f"   {seconds_between(row['started_at'], row['ended_at']):8.1f} s"
            + f"   {row['status']:<9} {row['dev_accuracy'] or 0:.1%}"
        )
    total = seconds_between(rows[0]["started_at"], rows[-1]["ended_at"])
    print(f"first start to last result: {total:.0f} s ({total / 60:.1f} min) for {count} jobs")
    if errors:
        absolute = [abs(e) for e in errors]
        waits = [seconds_between(r["created_at"], r["started_at"]) for r in rows]
        print(
            f"estimate error over the {len(errors)} jobs that waited: mean {statistics.mean(errors):+.0f} s, "
            f"mean absolute {statistics.mean(absolute):.0f} s, worst {max(absolute):.0f} s "
            f"(the longest real wait: {max(waits):.0f} s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--presets", nargs="+", default=list(PRESETS), choices=list(PRESETS))
    parser.add_argument("--runs", type=int, default=1, help="jobs per preset")
    parser.add_argument("--queue", type=int, help="this many students start at once instead")
    parser.add_argument("--preset", default="quick", choices=list(PRESETS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), _env_file=None)
        tutor = Tutor(settings)
        print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} at the start")
        try:
            if args.queue:
                run_queue(tutor, args.preset, args.queue)
            else:
                run_presets(tutor, args.presets, args.runs)
        finally:
            tutor.close()
        print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
