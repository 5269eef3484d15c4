"""Warm `ask` latency (p50/p95) and start-up time with and without a persisted index.

    python bench/ask_latency.py [--rounds 3] [--beside-finetune]

--beside-finetune measures the warm latency while a real fine-tune trains on the same cores
(bench/beside.py). The bot's model calls use TUTOR_MODEL_THREADS threads (default 1); set it to
2 to see what torch's default does beside a trainer.

Start-up is measured in fresh processes (imports, model load, index load or build, first
answer), the way `tutor chat` starts. Latency is the full `tutor.ask.ask` path: input cleaning,
retrieval, answer composition and the SQLite write.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.beside import finetune_beside  # noqa: E402

START = """
import time, sys
t0 = time.perf_counter()
from bot.config import Settings
from bot.app.context import Actor
from bot.app.tutor import Tutor

tutor = Tutor(Settings())
tutor.warm_up()
tutor.ask.ask(Actor("bench"), "what is an attention mask?")
print(time.perf_counter() - t0)
"""


def start_seconds(data_dir: str) -> float:
    env = {**os.environ, "TUTOR_DATA_DIR": data_dir}
    out = subprocess.run(
        [sys.executable, "-c", START], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the question set")
    parser.add_argument(
        "--beside-finetune", action="store_true", help="with a fine-tune training meanwhile"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as data_dir:
        cold = start_seconds(data_dir)
        warm_starts = [start_seconds(data_dir) for _ in range(3)]
        print(f"start-up, index built from scratch:     {cold:6.2f} s")
        print(f"start-up, persisted index (median of 3): {statistics.median(warm_starts):6.2f} s")

        from bench.ask_quality import read_questions
        from bot.app.context import Actor
        from bot.app.tutor import Tutor
        from bot.config import Settings

        questions = [q for q, _ in read_questions(ROOT / "bench" / "ask_questions.tsv")]
        tutor = Tutor(Settings(data_dir=Path(data_dir)))
        tutor.warm_up()
        timings = []
        with finetune_beside() if args.beside_finetune else contextlib.nullcontext():
            for _ in range(args.rounds):
                for question in questions:
                    t0 = time.perf_counter()
                    tutor.ask.ask(Actor("bench", channel="bench"), question)
                    timings.append((time.perf_counter() - t0) * 1000)
        tutor.close()
    threads = tutor.settings.model_threads
    cpus = f"{os.cpu_count()} CPUs, {threads} model threads"
    print(f"warm ask latency over {len(timings)} questions ({cpus}):")
    print(
        f"  p50 {percentile(timings, 0.5):.1f} ms   p95 {percentile(timings, 0.95):.1f} ms   "
        f"max {max(timings):.1f} ms"
    )


if __name__ == "__main__":
    main()
