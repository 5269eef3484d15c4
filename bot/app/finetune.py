"""Fine-tune jobs: a queue in SQLite, as many training runs at once as the executor has
slots (one on a CPU), progress relayed.

Training never runs in the bot process (which never initialises CUDA): each job is a fresh
`python -m skills.finetune.train`, on this host or on a Ray cluster (bot.app.executors), whose
JSON-lines events are read here. Whatever happens to it (an error, CUDA out of memory,
`kill -9`, the time limit, a bot restart, a cluster gone), the job ends in a final state with a
reason, and the next queued job starts.
"""

from __future__ import annotations

import heapq
import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app.context import Actor
from bot.app.events import Listeners
from bot.app.executors import Ended, Executor, LaunchError, Run, executor_for, exit_reason
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
from skills.finetune.presets import DEFAULT_PRESET, PRESETS, preset_named
from skills.models import resolve_model
from skills.text import clean_user_text

log = logging.getLogger(__name__)
PROGRESS_RELAY_SECONDS = 3.0  # at most one progress message per job this often


@dataclass(frozen=True)
class InterruptedJob:
    """A fine-tune whose runner died: it is failed, and its trainer stopped."""

    id: int
    number: int  # what its class knows it by
    owner: str


@dataclass(frozen=True)
class JobEvent:
    job_id: int  # the database's key (unique across classes)
    number: int  # what the class sees: "job #3" is its own third job
    owner: str  # display name
    server: str
    channel: str
    kind: str  # queued, started, progress, succeeded, failed, cancelled
    data: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[JobEvent], None]


@dataclass
class _Process:
    job_id: int
    run: Run
    slot: int
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
        executor: Executor | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.res = res
        self.store = res.store
        self.jobs_dir = res.settings.data_dir / "finetune"
        self.max_seconds = res.settings.finetune_max_seconds
        self.allowed_users = res.settings.finetune_users
        self.executor = executor or executor_for(res.settings, python)
        self._clock = clock
        self._running: dict[int, _Process] = {}
        self._last_reap = float("-inf")
        self._loaded: dict[tuple[Any, ...], Classifier] = {}
        self._events: Listeners[JobEvent] = Listeners("job")
        self._lock = threading.RLock()

    def subscribe(self, listener: Listener) -> None:
        self._events.subscribe(listener)

    # --- requests ------------------------------------------------------------------------

    def config(self, preset: str | None = None, **options: Any) -> TrainConfig:
        """A TrainConfig from a preset (default: standard) and the user's options, which
        win, with the configured default data; refused before anything starts if it is not
        valid. Local paths are made absolute here, where the user typed them: the trainer
        runs inside its job folder."""
        settings = self.res.settings
        recipe = preset_named(preset or DEFAULT_PRESET)
        data = options.pop("data", None) or settings.finetune_data or PACKAGED_SST2
        model_dir = str(settings.models_path)
        clean = {**recipe.options, **{k: v for k, v in options.items() if v is not None}}
        config = TrainConfig(data=str(data), model_dir=model_dir, preset=recipe.name, **clean)
        config = config.with_absolute_paths().validate()
        # A model that cannot load here is the user's to change, refused before anything is
        # queued (ModelUnavailable is a TutorError), not a job that fails in the trainer.
        resolve_model(config.model, model_dir=settings.models_path, offline=settings.hub_offline)
        return config

    def start(
        self, actor: Actor, *, team: str | None = None, preset: str | None = None, **options: Any
    ) -> int:
        """Queue a job for `actor`, counting for `team` or, by default, the team they joined."""
        config = self.config(preset, **options)
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
                mine = active[0]
                where = "" if mine["server"] == actor.server else " in another class"
                raise JobError(
                    f"You already have job #{mine['number']}{where} queued or running; "
                    "one at a time."
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
        queued = {"position": position, "wait_seconds": wait, **self.expectation(config.preset)}
        row = self.store.run(rows.job, job_id)
        assert row is not None  # just inserted; jobs are never deleted while the class runs
        self._events.emit([JobEvent(job_id, *self._about(row), "queued", queued)])
        self.tick()
        return job_id

    def number_of(self, job_id: int) -> int:
        """The number the job's class knows it by (start() returns the database's key)."""
        row = self.store.run(rows.job, job_id)
        if row is None:
            raise JobError(f"No job #{job_id}.")
        return int(row["number"])

    def _own_class_job(self, actor: Actor, number: int) -> dict[str, Any]:
        """The actor's class's job #`number`: another class's job is "no job" (its number
        tells nothing: every class counts its own jobs from 1)."""
        job = self.store.run(rows.numbered_job, actor.server, number)
        if job is None:
            raise JobError(f"No job #{number}.")
        return job

    def cancel(self, actor: Actor, number: int) -> str:
        """Cancel the class's job #`number` (the owner's, or any for the instructor)."""
        with self._lock:
            job = self._own_class_job(actor, number)
            job_id = job["id"]
            if job["owner"] != actor.user and not actor.instructor:
                raise NotAllowed("Only the job's owner or the instructor can cancel it.")
            status = JobStatus(job["status"])
            if status.final:
                raise JobError(f"Job #{number} already ended ({status.value}).")
            if status is JobStatus.QUEUED:
                reason = f"cancelled by {actor.name}"
                self.store.write(rows.finish_job, job_id, JobStatus.CANCELLED, reason, None)
                self._events.emit(
                    [JobEvent(job_id, *self._about(job), "cancelled", {"by": actor.name})]
                )
                return f"Job #{number} removed from the queue."
            running = self._running.get(job_id)
            if running is not None:
                running.cancelled_by = actor.name
                running.run.stop()
            else:  # another process runs it: it stops the job on its next tick
                self.store.write(rows.request_cancel, job_id, actor.name)
            return f"Job #{number} is being stopped."

    # --- the worker --------------------------------------------------------------------------

    def tick(self) -> None:
        """Start queued jobs while slots are free; enforce the time limit and cancels from
        other processes; fail the jobs of runners that died."""
        self.res.lease.heartbeat()
        self._reap_orphans()
        with self._lock:
            for running in list(self._running.values()):
                if not running.timed_out and self._clock() - running.started > self.max_seconds:
                    running.timed_out = True
                    running.run.stop()
                elif running.cancelled_by is None:
                    by = self.store.run(rows.cancel_request, running.job_id)
                    if by:
                        running.cancelled_by = by
                        running.run.stop()
            slots = self.executor.slots()
            while len(self._running) < slots:
                job = self.store.write(rows.claim_next_job, utc_now(), self.res.lease.hold(), slots)
                if job is None:
                    return
                try:
                    self._start(job)
                except (OSError, LaunchError) as exc:  # no interpreter, folder or cluster
                    self._could_not_start(job, str(exc))

    def _start(self, job: dict[str, Any]) -> None:
        folder = self.jobs_dir / f"job-{job['id']}"
        folder.mkdir(parents=True, exist_ok=True)
        config = TrainConfig.from_dict(json.loads(job["config"]))
        taken = {p.slot for p in self._running.values()}
        slot = min(set(range(self.executor.slots())) - taken)
        run = self.executor.launch(job["id"], folder, config, slot)
        process = _Process(job["id"], run, slot, self._clock())
        self._running[job["id"]] = process
        self.store.write(rows.set_runner, job["id"], self.executor.name, run.pid, run.remote_id)
        process.follower = threading.Thread(
            target=self._follow, args=(process, job), name=f"job-{job['id']}", daemon=True
        )
        process.follower.start()

    def _could_not_start(self, job: dict[str, Any], why: str) -> None:
        reason = f"could not start: {why}"
        log.warning("job %d %s", job["id"], reason)
        self.store.write(rows.finish_job, job["id"], JobStatus.FAILED, reason, None)
        self._events.emit([JobEvent(job["id"], *self._about(job), "failed", {"reason": reason})])

    def _about(self, job: dict[str, Any]) -> tuple[int, str, str, str]:
        """(number, owner's display name, server, channel) of a job row, for its events."""
        owner = self.res.names([job["owner"]])[job["owner"]]
        return job["number"], owner, job["server"], job["channel"] or ""

    def _follow(self, process: _Process, job: dict[str, Any]) -> None:
        about = self._about(job)
        for line in process.run.lines():
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue  # a stray print from a library
            self._on_event(process, about, event)
        status, reason, result = self._outcome(process, process.run.wait())
        try:
            self.store.write(rows.finish_job, process.job_id, status, reason, result)
        except RuntimeError:  # the store is closed: the bot died first; recovery handles it
            log.warning("job %d ended (%s) after the store closed", process.job_id, status)
            return
        with self._lock:
            self._running.pop(process.job_id, None)
        data = {**(result or {}), "reason": reason}
        self._events.emit([JobEvent(process.job_id, *about, status.value, data)])
        self.tick()

    def _on_event(
        self, process: _Process, about: tuple[int, str, str, str], event: dict[str, Any]
    ) -> None:
        kind = event.get("event")
        if kind == "started":
            self._events.emit([JobEvent(process.job_id, *about, "started", event)])
        elif kind == "progress":
            share = event["step"] / max(1, event["total_steps"])
            self.store.write(rows.set_progress, process.job_id, share)
            now = self._clock()
            if now - process.last_relay >= PROGRESS_RELAY_SECONDS or share >= 1:
                process.last_relay = now
                self._events.emit([JobEvent(process.job_id, *about, "progress", event)])
        elif kind == "evaluation" and event.get("during_training"):
            self._events.emit([JobEvent(process.job_id, *about, "evaluation", event)])
        elif kind in ("finished", "failed"):
            process.final = event

    def _outcome(
        self, process: _Process, ended: Ended
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
        return JobStatus.FAILED, ended.reason or exit_reason(ended.code), None

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
                r["number"],
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

    def try_model(self, actor: Actor, number: int, text: str) -> TryReply:
        """The class's job #`number`'s model on `text`, beside the base model with an untrained head. Runs on
        the CPU in this process (no CUDA); the last models used stay loaded. Only a job of
        the actor's own class: another class's job is "no job" (its number tells nothing)."""
        cleaned = clean_user_text(text, 1000)
        if cleaned.empty:
            raise JobError("Give a sentence to classify, e.g. “this film was a delight”.")
        row = self._own_class_job(actor, number)
        job_id = row["id"]
        job = self._views([row])[0]
        if job.status != JobStatus.SUCCEEDED or not job.result:
            raise JobError(f"Job #{number} has no model to try ({job.status.value}).")
        config = job.result.get("config", {})
        base, method = config.get("model", ""), config.get("method", "lora")
        labels = [str(x) for x in job.result.get("labels", ["0", "1"])]
        saved = Path(job.result["saved"])
        if not saved.exists():
            raise JobError(f"Job #{number}'s saved model is gone from this machine.")
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
            number,
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
        """(place in the queue, estimated seconds until it starts): each job ahead takes its
        preset's typical time and each running one what is left of its own, spread over the
        executor's slots. None when some job ahead has no figure at all."""
        queued = self.store.run(rows.queued_presets)
        ids = [job for job, _ in queued]
        if job_id not in ids:
            return 0, None
        position = ids.index(job_id) + 1
        now = datetime.now(UTC)
        free: list[float] = []  # when each slot is next free, seconds from now
        for preset, started in self.store.run(rows.running_presets):
            typical = self.typical_seconds(preset)
            if typical is None:
                return position, None
            elapsed = (now - datetime.fromisoformat(started)).total_seconds()
            free.append(max(0.0, typical - elapsed))
        free += [0.0] * max(0, self.executor.slots() - len(free))
        heapq.heapify(free)
        for _, preset in queued[: position - 1]:
            typical = self.typical_seconds(preset)
            if typical is None:
                return position, None
            heapq.heappush(free, heapq.heappop(free) + typical)
        return position, free[0]

    def typical_seconds(self, preset: str | None) -> float | None:
        """How long a job of this preset takes here, start to end: the median of the latest
        ones that succeeded (the machine as it is, load and all), else the preset's figure
        measured on this kind of hardware, else None."""
        name = preset or DEFAULT_PRESET
        durations = self.store.run(rows.recent_durations, name, DEFAULT_PRESET)
        if durations:
            return sorted(durations)[len(durations) // 2]
        expected = PRESETS[name].expected(self.executor.on_gpu()) if name in PRESETS else None
        return expected.seconds if expected else None

    def expectation(self, preset: str) -> dict[str, Any]:
        """What the job's preset is measured to take and give on this hardware (shown when it
        is queued); only the preset's name where nobody measured it here."""
        expected = PRESETS[preset].expected(self.executor.on_gpu()) if preset in PRESETS else None
        if expected is None:
            return {"preset": preset}
        return {
            "preset": preset,
            "expected_seconds": expected.seconds,
            "expected_accuracy": expected.dev_accuracy,
            "measured_on": expected.hardware,
        }

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
        lost = self._reap_orphans(force=True)
        return [InterruptedJob(j["id"], j["number"], j["owner"]) for j in lost]

    def _reap_orphans(self, *, force: bool = False) -> list[dict[str, Any]]:
        now = time.monotonic()
        if not force and now - self._last_reap < self.res.settings.heartbeat_seconds:
            return []
        self._last_reap = now
        reason = "the process that ran it stopped (a crash, a restart or kill -9)"
        lost = self.store.write(rows.fail_orphans, self.res.lease.alive(), reason)
        for job in lost:
            self.executor.stop_orphan(job)
            log.warning("job %d failed: %s", job["id"], reason)
        return lost

    def close(self) -> None:
        """Stop the running jobs (they end as cancelled) and wait until they are recorded."""
        with self._lock:
            running = list(self._running.values())
            for process in running:
                process.cancelled_by = "shutdown"
                process.run.stop()
        for process in running:
            if process.follower is not None:
                process.follower.join(timeout=15)


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
                row["number"],  # the job's number in its class: what `finetune try` takes
                config.get("model", "?"),
                config.get("method", "?"),
                result.get("trainable_share"),
                result.get("train_seconds"),
            )
    return [replace(entry, runs=runs[name]) for name, entry in best.items()]
