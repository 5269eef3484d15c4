"""Fine-tune jobs: a queue in SQLite, one training process at a time, progress relayed.

Training never runs in the bot process (which never initialises CUDA): each job is a fresh
`python -m skills.finetune.train` whose JSON-lines events are read here. Whatever happens to it
(an error, CUDA out of memory, `kill -9`, the time limit, a bot restart), the job ends in a
final state with a reason, and the next queued job starts.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.store import Store, utc_now
from skills.finetune.config import ConfigError, TrainConfig

log = logging.getLogger(__name__)
FINAL = ("succeeded", "failed", "cancelled", "interrupted")
PROGRESS_RELAY_SECONDS = 10.0  # at most one progress message per job this often


class JobError(ValueError):
    """A job request that is refused; the message says why."""


@dataclass(frozen=True)
class JobEvent:
    job_id: int
    owner: str
    channel: str
    kind: str  # queued, started, progress, succeeded, failed, cancelled
    data: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[JobEvent], None]


@dataclass
class _Process:
    job_id: int
    popen: subprocess.Popen
    started: float
    follower: threading.Thread | None = None
    cancelled_by: str | None = None
    timed_out: bool = False
    last_relay: float = 0.0
    final: dict[str, Any] | None = None


class FinetuneJobs:
    def __init__(
        self,
        store: Store,
        jobs_dir: Path,
        *,
        max_seconds: float = 1800,
        allowed_users: list[str] | None = None,
        python: str = sys.executable,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.jobs_dir = jobs_dir
        self.max_seconds = max_seconds
        self.allowed_users = allowed_users or []
        self.python = python
        self._clock = clock
        self._running: _Process | None = None
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _emit(self, event: JobEvent) -> None:
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                log.exception("job listener failed")

    # --- requests ------------------------------------------------------------------------

    def submit(
        self, config: TrainConfig, *, owner: str, team: int | None = None, channel: str = ""
    ) -> int:
        """Validate and queue a job; refused before anything starts if anything is wrong."""
        if self.allowed_users and owner not in self.allowed_users:
            raise JobError("You are not on the list of people who may launch fine-tunes.")
        try:
            config.validate()
        except ConfigError as exc:
            raise JobError(f"Bad fine-tune settings: {exc}") from exc
        with self._lock:
            active = self.store.run(_active_jobs_of, owner)
            if active:
                raise JobError(
                    f"You already have job #{active[0]} queued or running; one at a time."
                )
            job_id = self.store.run(_insert_job, owner, team, channel, config)
        self._emit(
            JobEvent(job_id, owner, channel, "queued", {"position": self.queue_position(job_id)})
        )
        self.tick()
        return job_id

    def cancel(self, job_id: int, *, by: str, is_instructor: bool = False) -> str:
        with self._lock:
            job = self.job(job_id)
            if job is None:
                raise JobError(f"No job #{job_id}.")
            if job["owner"] != by and not is_instructor:
                raise JobError("Only the job's owner or the instructor can cancel it.")
            if job["status"] in FINAL:
                raise JobError(f"Job #{job_id} already ended ({job['status']}).")
            if job["status"] == "queued":
                self.store.run(_finish_job, job_id, "cancelled", f"cancelled by {by}", None)
                self._emit(
                    JobEvent(job_id, job["owner"], job["channel"] or "", "cancelled", {"by": by})
                )
                return f"Job #{job_id} removed from the queue."
            if self._running and self._running.job_id == job_id:
                self._running.cancelled_by = by
                _terminate(self._running.popen)
            return f"Job #{job_id} is being stopped."

    # --- the worker --------------------------------------------------------------------------

    def tick(self) -> None:
        """Start the next queued job when none runs; enforce the time limit."""
        with self._lock:
            running = self._running
            if running is not None:
                if not running.timed_out and self._clock() - running.started > self.max_seconds:
                    running.timed_out = True
                    _terminate(running.popen)
                return
            job = self.store.run(claim_next_job, utc_now())
            if job is None:
                return
            try:
                self._start(job)
            except OSError as exc:  # the interpreter or the job folder is unusable
                self.store.run(_finish_job, job["id"], "failed", f"could not start: {exc}", None)

    def _start(self, job: dict[str, Any]) -> None:
        folder = self.jobs_dir / f"job-{job['id']}"
        folder.mkdir(parents=True, exist_ok=True)
        config = TrainConfig.from_dict(json.loads(job["config"]))
        config.output_dir = str(folder)
        config_path = config.save(folder / "config.json")
        stderr = (folder / "stderr.log").open("w")
        popen = subprocess.Popen(
            [self.python, "-m", "skills.finetune.train", str(config_path)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=folder,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
        stderr.close()
        process = _Process(job["id"], popen, self._clock())
        self._running = process
        self.store.run(_set_pid, job["id"], popen.pid)
        process.follower = threading.Thread(
            target=self._follow, args=(process, job), name=f"job-{job['id']}", daemon=True
        )
        process.follower.start()

    def _follow(self, process: _Process, job: dict[str, Any]) -> None:
        owner, channel = job["owner"], job["channel"] or ""
        assert process.popen.stdout is not None
        for line in process.popen.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue  # a stray print from a library
            self._on_event(process, owner, channel, event)
        code = process.popen.wait()
        status, reason, result = self._outcome(process, code)
        try:
            self.store.run(_finish_job, process.job_id, status, reason, result)
        except RuntimeError:  # the store is closed: the bot died first; recovery handles it
            log.warning("job %d ended (%s) after the store closed", process.job_id, status)
            return
        with self._lock:
            self._running = None
        self._emit(
            JobEvent(process.job_id, owner, channel, status, {**(result or {}), "reason": reason})
        )
        self.tick()

    def _on_event(self, process: _Process, owner: str, channel: str, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "started":
            self._emit(JobEvent(process.job_id, owner, channel, "started", event))
        elif kind == "progress":
            share = event["step"] / max(1, event["total_steps"])
            self.store.run(_set_progress, process.job_id, share)
            now = self._clock()
            if now - process.last_relay >= PROGRESS_RELAY_SECONDS or share >= 1:
                process.last_relay = now
                self._emit(JobEvent(process.job_id, owner, channel, "progress", event))
        elif kind in ("finished", "failed"):
            process.final = event

    def _outcome(
        self, process: _Process, code: int
    ) -> tuple[str, str | None, dict[str, Any] | None]:
        final = process.final or {}
        if final.get("event") == "finished":
            return "succeeded", None, final
        if process.cancelled_by:
            return "cancelled", f"cancelled by {process.cancelled_by}", None
        if process.timed_out:
            return "failed", f"stopped after the {self.max_seconds:.0f} s limit", None
        if final.get("event") == "failed":
            return "failed", f"{final.get('kind')}: {final.get('reason')}", None
        if code < 0:
            name = (
                signal.Signals(-code).name
                if -code in signal.Signals.__members__.values()
                else str(-code)
            )
            return "failed", f"the training process was killed ({name})", None
        return "failed", f"the training process exited with code {code} without a result", None

    # --- reading -------------------------------------------------------------------------

    def job(self, job_id: int) -> dict[str, Any] | None:
        rows = self.store.run(
            lambda db: list(db.table("finetune_jobs").rows_where("id = ?", [job_id]))
        )
        return rows[0] if rows else None

    def jobs(self, limit: int = 20) -> list[dict[str, Any]]:
        return self.store.run(
            lambda db: list(db.table("finetune_jobs").rows_where(order_by="id desc", limit=limit))
        )

    def queue_position(self, job_id: int) -> int:
        queued = self.store.run(
            lambda db: [
                r["id"]
                for r in db.table("finetune_jobs").rows_where("status = 'queued'", order_by="id")
            ]
        )
        return queued.index(job_id) + 1 if job_id in queued else 0

    def leaderboard(self) -> list[dict[str, Any]]:
        """Best dev accuracy per team (and the job that reached it)."""
        sql = (
            "SELECT team, max(dev_accuracy) AS dev_accuracy, count(*) AS runs FROM finetune_jobs "
            "WHERE status = 'succeeded' AND team IS NOT NULL GROUP BY team ORDER BY dev_accuracy DESC"
        )
        return self.store.run(lambda db: [dict(r) for r in db.query(sql)])

    def wait(self, job_id: int, timeout: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.tick()
            job = self.job(job_id)
            if job and job["status"] in FINAL:
                return job
            time.sleep(0.2)
        return self.job(job_id)

    def recover_interrupted(self) -> list[dict[str, Any]]:
        """Jobs a restart left running: their processes are gone with the old bot."""
        return self.store.run(_mark_interrupted)

    def close(self) -> None:
        """Stop a running job (it ends as cancelled) and wait until it is recorded."""
        with self._lock:
            running = self._running
            if running is not None:
                running.cancelled_by = "shutdown"
                _terminate(running.popen)
        if running is not None and running.follower is not None:
            running.follower.join(timeout=15)


def _is_training_process(pid: int) -> bool:
    """True only if `pid` is still our training program (pids are reused after restarts)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"skills.finetune.train" in cmdline


def _terminate(popen: subprocess.Popen) -> None:
    """Stop the training process and anything it started (it leads its own session)."""
    try:
        os.killpg(popen.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        popen.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(popen.pid, signal.SIGKILL)


# --- storage -------------------------------------------------------------------------------


def _insert_job(
    db: Database, owner: str, team: int | None, channel: str, config: TrainConfig
) -> int:
    row = {
        "owner": owner,
        "team": team,
        "channel": channel,
        "status": "queued",
        "config": json.dumps(config.to_json()),
        "created_at": utc_now(),
        "progress": 0.0,
    }
    pk = db.table("finetune_jobs").insert(row).last_pk
    assert pk is not None
    return int(pk)


def _active_jobs_of(db: Database, owner: str) -> list[int]:
    rows = db.table("finetune_jobs").rows_where(
        "owner = ? AND status IN ('queued', 'running')", [owner]
    )
    return [r["id"] for r in rows]


def claim_next_job(db: Database, now: str) -> dict[str, Any] | None:
    """Mark the oldest queued job running, in one statement, unless a job already runs.

    "One job on the GPU" holds in the database, so a `tutor finetune` in a terminal beside a
    running bot can neither start the same job twice nor run a second job at the same time."""
    cursor = db.execute(
        "UPDATE finetune_jobs SET status = 'running', started_at = ? "
        "WHERE id = (SELECT id FROM finetune_jobs WHERE status = 'queued' ORDER BY id LIMIT 1) "
        "AND NOT EXISTS (SELECT 1 FROM finetune_jobs WHERE status = 'running') "
        "RETURNING id",
        [now],
    )
    row = cursor.fetchone()
    db.conn.commit()
    if row is None:
        return None
    return next(db.table("finetune_jobs").rows_where("id = ?", [row[0]]))


def _set_pid(db: Database, job_id: int, pid: int) -> None:
    db.table("finetune_jobs").update(job_id, {"pid": pid})


def _set_progress(db: Database, job_id: int, share: float) -> None:
    db.table("finetune_jobs").update(job_id, {"progress": round(share, 4)})


def _finish_job(
    db: Database, job_id: int, status: str, reason: str | None, result: dict[str, Any] | None
) -> None:
    update: dict[str, Any] = {"status": status, "ended_at": utc_now(), "reason": reason}
    if result:
        update |= {
            "result": json.dumps(result),
            "dev_accuracy": result.get("dev_accuracy"),
            "progress": 1.0,
        }
    db.table("finetune_jobs").update(job_id, update)


def _mark_interrupted(db: Database) -> list[dict[str, Any]]:
    running = list(db.table("finetune_jobs").rows_where("status = 'running'"))
    for job in running:
        db.table("finetune_jobs").update(
            job["id"],
            {
                "status": "interrupted",
                "ended_at": utc_now(),
                "reason": "the bot restarted while it ran",
            },
        )
        if job["pid"] and _is_training_process(job["pid"]):
            # A training process that outlived its bot would hold the GPU for nothing.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(job["pid"], signal.SIGKILL)
    return [{"id": j["id"], "owner": j["owner"]} for j in running]
