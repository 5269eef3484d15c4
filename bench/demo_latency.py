"""Tokenize and fill-mask latency on CPU (p50/p95).

    python bench/demo_latency.py [--runs 200] [--beside-finetune]

Fill-mask uses a randomly initialised model of distilbert-base-uncased's exact shape (6 layers,
hidden 768, vocabulary 30,522) saved as safetensors and loaded through the same code path users
get: latency does not depend on the weight values, and the real weights are not reachable here.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.beside import finetune_beside  # noqa: E402

SENTENCES = [
    "The [MASK] sat on the mat.",
    "Paris is the [MASK] of France.",
    "Fine-tuning adapts a pre-trained model to a new [MASK] with labelled data.",
    "LoRA freezes the original weights and trains small low-rank [MASK] matrices instead, "
    "which keeps memory use low and lets one base model serve many tasks.",
]


def percentiles(timings: list[float]) -> str:
    ordered = sorted(timings)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return f"p50 {at(0.5):6.1f} ms   p95 {at(0.95):6.1f} ms"


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    fn()  # warm-up
    out = []
    for i in range(runs):
        t0 = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument(
        "--beside-finetune", action="store_true", help="with a fine-tune training meanwhile"
    )
    args = parser.parse_args()

    import torch
    from transformers import DistilBertConfig, DistilBertForMaskedLM, DistilBertTokenizerFast

    from bot.app.tutor import Tutor
    from bot.config import Settings
    from skills.models import packaged_minilm_path

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "distilbert-shaped"
        torch.manual_seed(0)
        model = DistilBertForMaskedLM(DistilBertConfig())
        model.save_pretrained(folder, safe_serialization=True)
        DistilBertTokenizerFast.from_pretrained(str(packaged_minilm_path())).save_pretrained(folder)

        tutor = Tutor(Settings(data_dir=Path(tmp) / "data"))  # sets the model threads
        print(
            f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs"
        )
        t0 = time.perf_counter()
        tutor.demos.mask(SENTENCES[0], model=str(folder))
        print(f"fill-mask model load + first call: {time.perf_counter() - t0:.2f} s")

        with finetune_beside() if args.beside_finetune else contextlib.nullcontext():
            tokenize = timed(
                lambda i=0: tutor.demos.tokenize(SENTENCES[i % 4].replace("[MASK]", "word")),
                args.runs,
            )
            print(f"tokenize (WordPiece + GPT-2 BPE, {args.runs} runs):  {percentiles(tokenize)}")
            fill = timed(
                lambda i=0: tutor.demos.mask(SENTENCES[i % 4], model=str(folder), top_k=5),
                args.runs,
            )
            print(f"fill-mask, distilbert-base shape ({args.runs} runs): {percentiles(fill)}")
        tutor.close()


if __name__ == "__main__":
    main()
