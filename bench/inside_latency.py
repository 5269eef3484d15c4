"""Latency of the look-inside demos on CPU (p50/p95): the model's forward pass alone, and the
whole `tutor attention` / `tutor embed` call, which also draws and writes the PNG.

    python bench/inside_latency.py [--runs 30]

Uses the packaged all-MiniLM-L6-v2 (real weights, offline).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.demo_latency import percentiles, timed  # noqa: E402

SHORT = "The bank of the river"
LONG = "word " * 60  # cut to the heatmap's 40 tokens
BANK = ["I sat on the river bank", "The bank of the stream was muddy", "I paid cash into the bank"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import torch

    from bot.app.tutor import Tutor
    from bot.config import Settings
    from skills.inside import attention, contextual_embeddings

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        tutor = Tutor(Settings(data_dir=Path(tmp) / "data"))
        t0 = time.perf_counter()
        tutor.demos.attention(SHORT)
        print(f"model load + first heatmap: {time.perf_counter() - t0:.2f} s")
        model = tutor.res.inside
        runs = args.runs
        cases = [
            ("attention matrix, 7 tokens", lambda i=0: attention(model, SHORT)),
            ("attention matrix, 40 tokens", lambda i=0: attention(model, LONG)),
            ("embed vectors, 3 sentences", lambda i=0: contextual_embeddings(model, "bank", BANK)),
            ("tutor attention + PNG, 7 tokens", lambda i=0: tutor.demos.attention(SHORT)),
            ("tutor attention + PNG, 40 tokens", lambda i=0: tutor.demos.attention(LONG)),
            ("tutor embed + PNG, 3 sentences", lambda i=0: tutor.demos.embed("bank", BANK)),
        ]
        for name, work in cases:
            print(f"{name:34} ({runs} runs): {percentiles(timed(work, runs))}")
        tutor.close()


if __name__ == "__main__":
    main()
