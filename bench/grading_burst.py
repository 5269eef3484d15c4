"""Free-text answers arriving together: latency from sending to the stored acknowledgement.

A quiz question with a free-text answer is open; N students answer at the same moment (a
barrier releases N threads). Each answer is graded by meaning (MiniLM), stored in SQLite, and
acknowledged. Prints p50 / p95 / max per answer and how many were accepted and stored.

    python bench/grading_burst.py [--students 30 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ANSWERS = [
    "It lets the model ignore the padding tokens so they do not affect attention.",
    "the mask marks which tokens are real and which are padding",
    "no idea honestly",
    "it hides future tokens from the decoder",
    "It tells attention to skip [PAD] positions in a batch.",
]


def burst(tutor, actor_of, n: int, seed: int) -> tuple[list[float], int, int]:
    teacher = actor_of("teacher")
    for attempt in range(200):  # a quiz whose first question is free text
        opened = tutor.quizzes.start(teacher, team=None, count=1, seconds=600, seed=seed + attempt)
        if opened.question.kind == "free":
            break
        tutor.quizzes.stop(teacher)
    barrier = threading.Barrier(n)
    latencies: list[float] = [0.0] * n
    accepted = [False] * n

    def student(i: int) -> None:
        barrier.wait()
        start = time.perf_counter()
        result = tutor.quizzes.answer(actor_of(f"s{i}"), ANSWERS[i % len(ANSWERS)])
        latencies[i] = time.perf_counter() - start
        accepted[i] = result.accepted

    threads = [threading.Thread(target=student, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = tutor.store.run(
        lambda db: db.execute(
            "SELECT count(*) FROM quiz_answers WHERE session_id = ?", [opened.session_id]
        ).fetchone()[0]
    )
    tutor.quizzes.stop(teacher)
    return latencies, sum(accepted), stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[30, 100])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from bot.app.context import Actor
    from bot.app.tutor import Tutor
    from bot.config import Settings

    with tempfile.TemporaryDirectory() as data_dir:
        tutor = Tutor(Settings(data_dir=Path(data_dir), _env_file=None))
        tutor.warm_up()
        tutor.bank.similarity("warm", "up")

        def actor_of(user: str) -> Actor:
            return Actor(user, user, "bench", "class")

        for n in args.students:
            all_latencies: list[float] = []
            for r in range(args.rounds):
                latencies, accepted, stored = burst(tutor, actor_of, n, seed=r * 1000)
                all_latencies += latencies
                print(f"{n} answers, round {r + 1}: accepted {accepted}/{n}, stored {stored}")
            ms = sorted(x * 1000 for x in all_latencies)
            p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
            print(
                f"{n} simultaneous free-text answers: p50 {statistics.median(ms):.0f} ms, "
                f"p95 {p95:.0f} ms, max {ms[-1]:.0f} ms (over {args.rounds} rounds)"
            )
        tutor.close()


if __name__ == "__main__":
    main()
