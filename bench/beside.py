"""A real fine-tune running beside a benchmark, as on a class day when a team trains while
others ask: `with finetune_beside(): ...` starts `tutor finetune` on SST-2 in a scratch data
folder, waits until its trainer is stepping, and stops it (and its trainer) afterwards."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil

from bot.app.model_threads import inherited_environment

ROOT = Path(__file__).resolve().parents[1]
# The full SST-2 on the project's machines; elsewhere the subset that ships.
SST2 = ROOT.parent / "shared" / "data" / "sst2"
if not SST2.is_dir():
    SST2 = ROOT / "skills" / "finetune" / "sst2"


@contextlib.contextmanager
def finetune_beside(data: Path = SST2, settle_seconds: float = 20.0) -> Iterator[None]:
    with tempfile.TemporaryDirectory() as tmp:
        # the user's own thread settings, not the one-thread limit a Tutor in this process set
        env = inherited_environment(
            {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
        )
        env |= {"TUTOR_DATA_DIR": tmp, "HF_HUB_OFFLINE": "1"}
        program = "import sys; from bot.main import main; sys.exit(main())"
        command = [sys.executable, "-c", program, "finetune", "--data", str(data)]
        command += ["--max-train", "60000", "--json"]  # longer than any benchmark here
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            time.sleep(settle_seconds)  # model load and tokenising done: the trainer steps
            if process.poll() is not None:
                raise RuntimeError(
                    f"the fine-tune beside the benchmark ended ({process.returncode})"
                )
            print(f"(a fine-tune is training beside this run; load {os.getloadavg()[0]:.1f})")
            yield
        finally:
            # the trainer leads its own session, so stop it by name as a child, then the CLI
            with contextlib.suppress(psutil.NoSuchProcess):
                for child in psutil.Process(process.pid).children(recursive=True):
                    child.kill()
            process.kill()
            process.wait(timeout=30)
