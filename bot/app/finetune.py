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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psutil

from bot.app.context import Actor
from bot.app.events import Listeners
from bot.app.model_threads import inherited_environment
from bot.app.resources import Resources
from bot.app.results import Entry, FinetuneBoard, JobView, TryReply
from bot.errors import JobError, NotAllowed
from bot.store import classes as class_rows
from bot.store import jobs as rows
from bot.store import utc_now
from bot.store.enums import JobStatus
from skills.course import parse_team
from skills.finetune.config import TrainConfig
from skills.finetune.data import PACKAGED_SST2
from skills.finetune.predict import Classifier
from skills.models import resolve_model
from skills.text import clean_user_text

log = logging.getLogger(__name__)
PROGRESS_RELAY_SECONDS = 3.0  # at most one progress message per job this often


@dataclass(frozen=True)
class InterruptedJob:
    """A fine-tune whose runner died: it is failed, and its trainer stopped."""

    id: int
    owner: str


@dataclass(frozen=True)
class JobEvent:
    job_id: int
    owner: str  # display name
    server: str
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
        res: Resources,
        *,
        python: str = sys.executable,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.res = res
        self.store = res.store
        self.jobs_dir = res.settings.data_dir / "finetune"
        self.max_seconds = res.settings.finetune_max_seconds
        self.allowed_users = res.settings.finetune_users
        self.python = python
        self._clock = clock
        self._running: _Process | None = None
        self._last_reap = float("-inf")
        self._loaded: dict[tuple[Any, ...], Classifier] = {}
        self._events: Listeners[JobEvent] = Listeners("job")
        self._lock = threading.RLock()

    def subscribe(self, listener: Listener) -> None:
        self._events.subscribe(listener)

    # --- requests ------------------------------------------------------------------------

    def config(self, **options: Any) -> TrainConfig:
        """A TrainConfig from user options, with the configured default data; refused before
        anything starts if it is not valid. Local paths are made absolute here, where the
        user typed them: the trainer runs inside its job folder."""
        settings = self.res.settings
        data = options.pop("data", None) or settings.finetune_data or PACKAGED_SST2
        model_dir = str(settings.models_path)
        clean = {k: v for k, v in options.items() if v is not None}
        config = TrainConfig(data=str(data), model_dir=model_dir, **clean)
        config = config.with_absolute_paths().validate()
        # A model that cannot load here is the user's to change, refused before anything is
        # queued (ModelUnavailable is a TutorError), not a job that fails in the trainer.
        resolve_model(config.model, model_dir=settings.models_path, offline=settings.hub_offline)
        return config

    def start(self, actor: Actor, *, team: str | None = None, **options: Any) -> int:
        """Queue a job for `actor`, counting for `team` or, by default, the team they joined."""
        config = self.config(**options)
        if self.allowed_users and actor.user not in self.allowed_users:
            raise NotAllowed("You are not on the list of people who may launch fine-tunes.")
        number = (
            parse_team(team)
            if team
            else self.store.run(class_rows.team_of, actor.server, actor.user)
        )
        self.res.remember(actor)
        with self._lock:
            active = self.store.run(rows.active_jobs_of, actor.user)
            if active:
                raise JobError(
                    f"You already have job #{active[0]} queued or running; one at a time."
                )
            job_id = self.store.write(
                lambda db: rows.insert_job(
                    db,
                    server=actor.server,
                    owner=actor.user,
                    team=number,
                    channel=actor.channel,
                    config=config.to_json(),
                )
            )
        position, wait = self.wait_estimate(job_id)
        queued = {"position": position, "wait_seconds": wait}
        self._events.emit(
            [JobEvent(job_id, actor.name, actor.server, actor.channel, "queued", queued)]
        )
        self.tick()
        return job_id

    def cancel(self, actor: Actor, job_id: int) -> str:
        with self._lock:
            job = self.store.run(rows.job, job_id)
            if job is None or job["server"] != actor.server:  # another class's: not yours
                raise JobError(f"No job #{job_id}.")
            if job["owner"] != actor.user and not actor.instructor:
                raise NotAllowed("Only the job's owner or the instructor can cancel it.")
            status = JobStatus(job["status"])
            if status.final:
                raise JobError(f"Job #{job_id} already ended ({status.value}).")
            if status is JobStatus.QUEUED:
                reason = f"cancelled by {actor.name}"
                self.store.write(rows.finish_job, job_id, JobStatus.CANCELLED, reason, None)
                owner = self.res.names([job["owner"]])[job["owner"]]
                where = (job["server"], job["channel"] or "")
                self._events.emit(
                    [JobEvent(job_id, owner, *where, "cancelled", {"by": actor.name})]
                )
                return f"Job #{job_id} removed from the queue."
            if self._running and self._running.job_id == job_id:
                self._running.cancelled_by = actor.name
                _terminate(self._running.popen)
            else:  # another process runs it: it stops the job on its next tick
                self.store.write(rows.request_cancel, job_id, actor.name)
            return f"Job #{job_id} is being stopped."

    # --- the worker --------------------------------------------------------------------------

    def tick(self) -> None:
        """Start the next queued job when none runs; enforce the time limit and cancels from
        other processes; fail the jobs of runners that died."""
        self.res.lease.heartbeat()
        self._reap_orphans()
        with self._lock:
            running = self._running
            if running is not None:
                if not running.timed_out and self._clock() - running.started > self.max_seconds:
                    running.timed_out = True
                    _terminate(running.popen)
                elif running.cancelled_by is None:
                    by = self.store.run(rows.cancel_request, running.job_id)
                    if by:
                        running.cancelled_by = by
                        _terminate(running.popen)
                return
            job = self.store.write(rows.claim_next_job, utc_now(), self.res.lease.hold())
            if job is None:
                return
            try:
                self._start(job)
            except OSError as exc:  # the interpreter or the job folder is unusable
                reason = f"could not start: {exc}"
                self.store.write(rows.finish_job, job["id"], JobStatus.FAILED, reason, None)

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
            env=_trainer_environment(),
            start_new_session=True,
        )
        stderr.close()
        process = _Process(job["id"], popen, self._clock())
        self._running = process
        self.store.write(rows.set_pid, job["id"], popen.pid)
        process.follower = threading.Thread(
            target=self._follow, args=(process, job), name=f"job-{job['id']}", daemon=True
        )
        process.follower.start()

    def _follow(self, process: _Process, job: dict[str, Any]) -> None:
        owner = self.res.names([job["owner"]])[job["owner"]]
        where = (job["server"], job["channel"] or "")
        assert process.popen.stdout is not None
        for line in process.popen.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue  # a stray print from a library
            self._on_event(process, owner, where, event)
        code = process.popen.wait()
        status, reason, result = self._outcome(process, code)
        try:
            self.store.write(rows.finish_job, process.job_id, status, reason, result)
        except RuntimeError:  # the store is closed: the bot died first; recovery handles it
            log.warning("job %d ended (%s) after the store closed", process.job_id, status)
            return
        with self._lock:
            self._running = None
        data = {**(result or {}), "reason": reason}
        self._events.emit([JobEvent(process.job_id, owner, *where, status.value, data)])
        self.tick()

    def _on_event(
        self, process: _Process, owner: str, where: tuple[str, str], event: dict[str, Any]
    ) -> None:
        kind = event.get("event")
        if kind == "started":
            self._events.emit([JobEvent(process.job_id, owner, *where, "started", event)])
        elif kind == "progress":
            share = event["step"] / max(1, event["total_steps"])
            self.store.write(rows.set_progress, process.job_id, share)
            now = self._clock()
            if now - process.last_relay >= PROGRESS_RELAY_SECONDS or share >= 1:
                process.last_relay = now
                self._events.emit([JobEvent(process.job_id, owner, *where, "progress", event)])
        elif kind == "evaluation" and event.get("during_training"):
            self._events.emit([JobEvent(process.job_id, owner, *where, "evaluation", event)])
        elif kind in ("finished", "failed"):
            process.final = event

    def _outcome(
        self, process: _Process, code: int
    ) -> tuple[JobStatus, str | None, dict[str, Any] | None]:
        final = process.final or {}
        if final.get("event") == "finished":
            return JobStatus.SUCCEEDED, None, final
        if process.cancelled_by:
            return JobStatus.CANCELLED, f"cancelled by {process.cancelled_by}", None
        if process.timed_out:
            return JobStatus.FAILED, f"stopped after the {self.max_seconds:.0f} s limit", None
        if final.get("event") == "failed":
            return JobStatus.FAILED, f"{final.get('kind')}: {final.get('reason')}", None
        if code < 0:
            name = (
                signal.Signals(-code).name
                if -code in signal.Signals.__members__.values()
                else str(-code)
            )
            return JobStatus.FAILED, f"the training process was killed ({name})", None
        reason = f"the training process exited with code {code} without a result"
        return JobStatus.FAILED, reason, None

    # --- reading -------------------------------------------------------------------------

    # Reading recovers first: a job whose runner was killed shows as failed to whoever looks,
    # not "running" until some long-running process happens to notice.

    def job(self, job_id: int) -> JobView | None:
        self._reap_orphans()
        row = self.store.run(rows.job, job_id)
        return self._views([row])[0] if row else None

    def jobs(self, server: str, limit: int = 20) -> list[JobView]:
        self._reap_orphans()
        return self._views(self.store.run(rows.recent_jobs, server, limit))

    def _views(self, job_rows: list[dict[str, Any]]) -> list[JobView]:
        names = self.res.names([r["owner"] for r in job_rows])
        return [
            JobView(
                r["id"],
                names[r["owner"]],
                r["team"],
                JobStatus(r["status"]),
                r["progress"] or 0.0,
                r["dev_accuracy"],
                r["reason"],
                json.loads(r["result"]) if r["result"] else None,
            )
            for r in job_rows
        ]

    def queue_position(self, job_id: int) -> int:
        queued = self.store.run(rows.queued_ids)
        return queued.index(job_id) + 1 if job_id in queued else 0

    def leaderboard(self, server: str) -> FinetuneBoard:
        """The best run of each team and of each student in this server, best first."""
        done = self.store.run(rows.succeeded, server)
        names = self.res.names([r["owner"] for r in done])
        return FinetuneBoard(
            _best(done, lambda r: f"team{r['team']}" if r["team"] else None),
            _best(done, lambda r: names[r["owner"]]),
        )

    def try_model(self, actor: Actor, job_id: int, text: str) -> TryReply:
        """The job's model on `text`, beside the base model with an untrained head. Runs on
        the CPU in this process (no CUDA); the last models used stay loaded. Only a job of
        the actor's own class: another class's job is "no job" (its number tells nothing)."""
        cleaned = clean_user_text(text, 1000)
        if cleaned.empty:
            raise JobError("Give a sentence to classify, e.g. “this film was a delight”.")
        row = self.store.run(rows.job, job_id)
        if row is None or row["server"] != actor.server:
            raise JobError(f"No job #{job_id}.")
        job = self._views([row])[0]
        if job.status != JobStatus.SUCCEEDED or not job.result:
            raise JobError(f"Job #{job_id} has no model to try ({job.status.value}).")
        config = job.result.get("config", {})
        base, method = config.get("model", ""), config.get("method", "lora")
        labels = [str(x) for x in job.result.get("labels", ["0", "1"])]
        saved = Path(job.result["saved"])
        if not saved.exists():
            raise JobError(f"Job #{job_id}'s saved model is gone from this machine.")
        model_dir = self.res.settings.models_path
        tuned = self._classifier(
            ("tuned", job_id),
            lambda: Classifier.fine_tuned(saved, base, method, labels, model_dir),
        )
        # A job from before mean pooling existed has no "pooling": it used the model's own head.
        pooling = config.get("pooling", "cls")
        plain = self._classifier(
            ("base", base, len(labels), pooling),
            lambda: Classifier.untrained_head(base, labels, model_dir, pooling),
        )
        return TryReply(
            job_id,
            cleaned.text,
            base,
            method,
            tuned.predict(cleaned.text),
            plain.predict(cleaned.text),
        )

    def _classifier(self, key: tuple[Any, ...], load: Callable[[], Classifier]) -> Classifier:
        with self._lock:
            if key not in self._loaded:
                if len(self._loaded) >= 4:  # keep memory bounded: forget the oldest
                    self._loaded.pop(next(iter(self._loaded)))
                self._loaded[key] = load()
            return self._loaded[key]

    def wait_estimate(self, job_id: int) -> tuple[int, float | None]:
        """(place in the queue, estimated seconds until it starts) from recent durations."""
        position = self.queue_position(job_id)
        durations = self.store.run(rows.recent_durations)
        if not position or not durations:
            return position, None
        typical = sorted(durations)[len(durations) // 2]
        running = 1 if self.store.run(rows.running_job) else 0
        return position, typical * (position - 1 + running)

    def wait(self, job_id: int, timeout: float) -> JobView | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.tick()
            job = self.job(job_id)
            if job and JobStatus(job.status).final:
                return job
            time.sleep(0.2)
        return self.job(job_id)

    def recover_interrupted(self) -> list[InterruptedJob]:
        """Jobs whose runner died (a crash, `kill -9`): failed with the reason, and their
        orphaned trainers stopped. Jobs another live process runs are left alone."""
        return [InterruptedJob(j["id"], j["owner"]) for j in self._reap_orphans(force=True)]

    def _reap_orphans(self, *, force: bool = False) -> list[dict[str, Any]]:
        now = time.monotonic()
        if not force and now - self._last_reap < self.res.settings.heartbeat_seconds:
            return []
        self._last_reap = now
        reason = "the process that ran it stopped (a crash, a restart or kill -9)"
        lost = self.store.write(rows.fail_orphans, self.res.lease.alive(), reason)
        for job in lost:
            if job["pid"] and _is_training_process(job["pid"]):
                # A training process that outlived its runner would hold the GPU for nothing.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(job["pid"], signal.SIGKILL)
            log.warning("job %d failed: %s", job["id"], reason)
        return lost

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
        return "skills.finetune.train" in psutil.Process(pid).cmdline()
    except (psutil.Error, OSError):
        return False


def _trainer_environment() -> dict[str, str]:
    """The trainer gets its settings in its config file; the bot's own settings (the Discord
    token among them) stay out of its environment. It trains on every core: the bot's own
    one-thread limit (bot.app.model_threads) is not passed on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    return {**inherited_environment(env), "PYTHONUNBUFFERED": "1"}


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


def _best(done: list[dict[str, Any]], key: Callable[[dict[str, Any]], str | None]) -> list[Entry]:
    """The best run per key (rows come best first), with how many runs each key had."""
    best: dict[str, Entry] = {}
    runs: dict[str, int] = {}
    for row in done:
        name = key(row)
        if name is None:
            continue
        runs[name] = runs.get(name, 0) + 1
        if name not in best:
            result = json.loads(row["result"] or "{}")
            config = json.loads(row["config"] or "{}")
            best[name] = Entry(
                name,
                row["dev_accuracy"],
                0,
                row["id"],
                config.get("model", "?"),
                config.get("method", "?"),
                result.get("trainable_share"),
                result.get("train_seconds"),
            )
    return [replace(entry, runs=runs[name]) for name, entry in best.items()]
