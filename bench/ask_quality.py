"""Top-1/top-3 concept accuracy of `ask` on a labelled question set, per retrieval method,
and how well the confidence threshold separates answerable from off-topic questions.

    python bench/ask_quality.py [--questions bench/ask_questions.tsv] [--threshold 0.45]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.cards import load_cards
from knowledge.index import HybridIndex, card_passages
from skills.models import load_sentence_encoder


def read_questions(path: Path) -> list[tuple[str, set[str] | None]]:
    """(question, acceptable concept ids) pairs; None marks an off-topic question."""
    rows = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            question, label = line.split("\t")
            rows.append((question, None if label == "-" else set(label.split("|"))))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--questions", type=Path, default=Path(__file__).with_name("ask_questions.tsv")
    )
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--model", default="sentence-transformers/all-MiniLM-L6-v2")
    args = parser.parse_args()

    from bot.config import Settings

    threshold = args.threshold if args.threshold is not None else Settings().answer_threshold
    questions = read_questions(args.questions)
    on_topic = [(q, c) for q, c in questions if c]
    off_topic = [q for q, c in questions if not c]
    index = HybridIndex.build(
        card_passages(load_cards()), load_sentence_encoder(args.model), args.model
    )

    print(f"{len(on_topic)} concept questions, {len(off_topic)} off-topic, threshold {threshold}")
    print(f"{'method':8} {'top-1':>7} {'top-3':>7}")
    for method in ("bm25", "dense", "hybrid"):
        top1 = top3 = 0
        for question, concept in on_topic:
            ids = [h.source_id for h in index.search(question, k=3, method=method)]
            top1 += ids[0] in concept
            top3 += bool(concept & set(ids))
        n = len(on_topic)
        print(f"{method:8} {top1 / n:7.1%} {top3 / n:7.1%}")

    right, wrong, rejected_misses = [], [], []
    for question, concept in on_topic:
        hit = index.search(question, k=1)[0]
        (right if hit.source_id in concept else wrong).append((hit.score, question, hit.source_id))
    off = [(index.search(q, k=1)[0].score, q) for q in off_topic]
    answered_right = sum(s >= threshold for s, *_ in right)
    answered_wrong = sum(s >= threshold for s, *_ in wrong)
    off_rejected = sum(s < threshold for s, _ in off)
    rejected_misses = [(s, q) for s, q, _ in right if s < threshold]
    print("\nWith the threshold (hybrid):")
    print(f"  concept questions answered with the right card: {answered_right}/{len(on_topic)}")
    print(f"  concept questions answered with a wrong card:   {answered_wrong}/{len(on_topic)}")
    held_back = len(on_topic) - answered_right - answered_wrong
    print(f"  concept questions held back as 'not sure':      {held_back}/{len(on_topic)}")
    print(f"  off-topic questions held back (correct):        {off_rejected}/{len(off)}")
    print("\nConfidence (fused score) of the top hit:")
    for name, values in (
        ("right", [s for s, *_ in right]),
        ("wrong", [s for s, *_ in wrong]),
        ("off-topic", [s for s, _ in off]),
    ):
        if values:
            median = sorted(values)[len(values) // 2]
            print(f"  {name:9} min {min(values):.3f}  median {median:.3f}  max {max(values):.3f}")
    for s, q, got in wrong:
        print(f"  wrong: {q!r} -> {got} (confidence {s:.3f})")
    for s, q in rejected_misses:
        print(f"  held back although right: {q!r} (confidence {s:.3f})")
    for s, q in off:
        if s >= threshold:
            print(f"  off-topic answered: {q!r} (confidence {s:.3f})")


if __name__ == "__main__":
    main()
