"""How long the commands a newcomer runs first take to start, as separate processes.

    python bench/startup.py [--runs 3] [--beside-finetune]

- `tutor chat`: from the process start to "Ready." (in a pseudo-terminal, as a person sees it),
  on a fresh data directory (cold: nothing persisted yet) and on the same one again (warm).
- `tutor ask "..."`: the whole one-shot command, cold and warm.
- `tutor tokenize "..."`: the whole one-shot command, warm.

Each figure is the median of --runs runs, with the slowest. Offline (HF_HUB_OFFLINE=1). With
--beside-finetune a real fine-tune trains in another process meanwhile (bench/beside.py).
Results: bench/results/startup.txt
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.beside import finetune_beside

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = "import sys; from bot.main import main; sys.exit(main())"


def _env(data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    return env | {"TUTOR_DATA_DIR": data_dir, "HF_HUB_OFFLINE": "1"}


def one_shot(data_dir: str, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", PROGRAM, *args],
        cwd=ROOT,
        env=_env(data_dir),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def chat_ready(data_dir: str, timeout: float = 120.0) -> float:
    """Seconds from starting `tutor chat` in a pseudo-terminal until it prints "Ready."."""
    leader, follower = pty.openpty()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", PROGRAM, "chat"],
        cwd=ROOT,
        env=_env(data_dir),
        stdin=follower,
        stdout=follower,
        stderr=follower,
        close_fds=True,
    )
    os.close(follower)
    seen = b""
    try:
        while b"Ready." not in seen:
            if time.perf_counter() - started > timeout or process.poll() is not None:
                raise RuntimeError(f"tutor chat never said Ready.: {seen[-500:]!r}")
            ready, _, _ = select.select([leader], [], [], 0.05)
            if ready:
                with contextlib.suppress(OSError):
                    seen += os.read(leader, 4096)
        elapsed = time.perf_counter() - started
        os.write(leader, b"/quit\n")
        process.wait(timeout=30)
        return elapsed
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)


def measure(runs: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as fresh:
            figures.setdefault("chat Ready, fresh data dir", []).append(chat_ready(fresh))
            figures.setdefault("chat Ready, warm", []).append(chat_ready(fresh))
        with tempfile.TemporaryDirectory() as fresh:
            question = "what is lora?"
            figures.setdefault("ask, fresh data dir", []).append(one_shot(fresh, "ask", question))
            figures.setdefault("ask, warm", []).append(one_shot(fresh, "ask", question))
            figures.setdefault("tokenize, warm", []).append(one_shot(fresh, "tokenize", "hi"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--beside-finetune", action="store_true")
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")
    with finetune_beside() if args.beside_finetune else contextlib.nullcontext():
        figures = measure(args.runs)
    for name, values in figures.items():
        print(f"{name:<28} median {statistics.median(values):5.2f} s   max {max(values):5.2f} s")


if __name__ == "__main__":
    main()
