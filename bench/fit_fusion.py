"""Fit the learned fusion of lexical and dense scores, the confidence, the decline threshold
and the "if you meant" gap, on the TUNING data only: bench/ask_questions.tsv (76 concept
questions, 14 off-topic), bench/ask_offtopic_tuning.tsv (40 more off-topic questions, for
calibration) and bench/ask_questions_short.tsv (29 short questions). The held-out sets are
never read here.

    python bench/fit_fusion.py                      # the shipped configuration
    python bench/fit_fusion.py --compare            # every option below, cross-validated
    python bench/fit_fusion.py --tokenizer words    # bm25s's own tokenizer instead
    python bench/fit_fusion.py --asked-as bench/asked_as_experiment.json
    python bench/fit_fusion.py --adapter course --save   # for the card-tuned encoder, saved
                                                         # beside it (knowledge/encoder_tuning.py)

1. Ranking: a conditional logit, i.e. a softmax over the 40 cards of each concept question,
   maximising the probability of the right card, over the index's features (the best cosine
   over a card's passages and its BM25 score squashed to [0, 1)). Two weights.
2. Confidence: a logistic regression of "the top card is right" on the top card's ranking
   score and 1 / the number of the question's terms (short questions score lower when they
   are right: bench/ask_questions_short.tsv), with every off-topic question a negative. Three
   coefficients. A confidence of 0.5 means "as likely right as not", the decline threshold.
3. Everything is estimated by leave-one-question-out cross-validation (each question scored by
   a fit that never saw it), then fitted once on all of it: the numbers to commit in
   knowledge/index.py (RANKING_WEIGHTS, CONFIDENCE).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ask_quality import SETS, read_questions
from knowledge import index as ix
from knowledge.answers import ALTERNATIVE_GAP
from knowledge.cards import load_cards
from knowledge.encoder_tuning import FUSION_FILE, adapter_folder, load_encoder

OFF_TOPIC_TUNING = Path(__file__).with_name("ask_offtopic_tuning.tsv")
SHORT_TUNING = Path(__file__).with_name("ask_questions_short.tsv")


@dataclass
class Row:
    question: str
    expected: set[str] | None
    ids: list[str]
    features: np.ndarray  # (cards, FEATURES)
    labels: np.ndarray  # (cards,) 1 for a right card
    terms: int  # distinct BM25 terms in the question


def rows_for(index: ix.HybridIndex, questions) -> list[Row]:
    rows = []
    for question, expected in questions:
        state, features, _ = index.features(question)
        ids = [s for s, _ in state.sources]
        labels = np.array([bool(expected) and i in expected for i in ids], dtype=float)
        terms = len(set(ix.bm25_tokens([question])[0]))
        rows.append(Row(question, expected, ids, features, labels, terms))
    return rows


def fit_ranking(rows: list[Row], cols: list[int], l2: float = 0.1) -> np.ndarray:
    """Conditional logit: per question, softmax over its cards; gradient descent."""
    data = [(r.features[:, cols], r.labels / r.labels.sum()) for r in rows if r.expected]
    w = np.zeros(len(cols))
    for _ in range(300):
        gradient = l2 * w
        for x, target in data:
            s = x @ w
            p = np.exp(s - s.max())
            gradient = gradient + x.T @ (p / p.sum() - target)
        w = w - 0.5 * gradient / len(data)
    return w


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 0.1) -> np.ndarray:
    """Logistic regression (Newton's method); returns [intercept, slope...]."""
    x1 = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(x1.shape[1])
    penalty = np.full(x1.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(100):
        p = 1 / (1 + np.exp(-(x1 @ w)))
        step = np.linalg.solve(
            (x1 * (p * (1 - p))[:, None]).T @ x1 + np.diag(penalty),
            x1.T @ (p - y) + penalty * w,
        )
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


@dataclass
class Scored:
    row: Row
    top: str
    second: str
    ranking: float  # the top card's ranking score
    gap: float  # top minus second ranking score
    confidence: float = 0.0

    @property
    def right(self) -> bool:
        return bool(self.row.expected) and self.top in (self.row.expected or set())


def score(row: Row, cols: list[int], w: np.ndarray) -> Scored:
    s = row.features[:, cols] @ w
    order = np.argsort(-s, kind="stable")
    return Scored(row, row.ids[order[0]], row.ids[order[1]], s[order[0]], s[order[0]] - s[order[1]])


def confidence_inputs(scored: list[Scored], short: bool) -> np.ndarray:
    """The confidence's inputs: the top ranking score, and 1 / the question's BM25 terms (a
    short question that matches well is as sure as a long one that matches better)."""
    columns = [[s.ranking] + ([1 / max(1, s.row.terms)] if short else []) for s in scored]
    return np.array(columns)


def cross_validate(rows: list[Row], cols: list[int], short: bool = True) -> list[Scored]:
    """Each question ranked and given a confidence by fits that never saw it."""
    full = fit_ranking(rows, cols)
    scored = [
        score(r, cols, fit_ranking(rows[:i] + rows[i + 1 :], cols) if r.expected else full)
        for i, r in enumerate(rows)
    ]
    x = confidence_inputs(scored, short)
    y = np.array([s.right for s in scored], dtype=float)
    for i, s in enumerate(scored):
        keep = np.arange(len(scored)) != i
        w = fit_logistic(x[keep], y[keep])
        s.confidence = float(1 / (1 + np.exp(-(w[0] + x[i] @ w[1:]))))
    return scored


def summary(scored: list[Scored], threshold: float, gap: float) -> str:
    on = [s for s in scored if s.row.expected]
    off = [s for s in scored if not s.row.expected]
    answered = [s for s in on if s.confidence >= threshold]
    right = sum(s.right for s in answered)
    wrong = [s for s in answered if not s.right]
    offered = sum(s.gap < gap and s.second in (s.row.expected or set()) for s in wrong)
    told = sum(s.gap < gap for s in answered)
    top1 = sum(s.right for s in on)
    off_max = max(s.confidence for s in off)
    return (
        f"top-1 {top1 / len(on):5.1%}  right {right}/{len(on)}  wrong {len(wrong)} "
        f"(right card offered as 'if you meant': {offered})  declined {len(on) - len(answered)}"
        f"  off-topic declined {sum(s.confidence < threshold for s in off)}/{len(off)} "
        f"(highest {off_max:.3f})  answers with an alternative {told}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokenizer", choices=("code", "words"), default=ix.BM25_TOKENIZER)
    parser.add_argument("--asked-as", type=Path, help="JSON {card id: [questions]} to index")
    parser.add_argument("--compare", action="store_true", help="every option, cross-validated")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--no-short", action="store_true", help="leave out the short questions")
    parser.add_argument("--gap", type=float, default=None, help="default: the shipped one")
    parser.add_argument(
        "--adapter", default="", help="fit for the encoder with this adapter ('course', a folder)"
    )
    parser.add_argument(
        "--save", action="store_true", help="write the weights beside the adapter (fusion.json)"
    )
    args = parser.parse_args()

    cards = load_cards()
    embedding = load_encoder("sentence-transformers/all-MiniLM-L6-v2", args.adapter)
    encoder = embedding.encoder
    if args.adapter:
        print(f"encoder: {embedding.key}")
    questions = read_questions(SETS["tuning"]) + read_questions(OFF_TOPIC_TUNING)
    if not args.no_short:
        questions += read_questions(SHORT_TUNING)
    gap = args.gap if args.gap is not None else ALTERNATIVE_GAP

    def index_with(tokenizer: str, asked_as: Path | None) -> ix.HybridIndex:
        ix.BM25_TOKENIZER = tokenizer
        passages = ix.card_passages(cards)
        if asked_as:
            extra = json.loads(asked_as.read_text())
            passages += [
                ix.Passage(c, "card", q, "asked as") for c, qs in extra.items() for q in qs
            ]
        return ix.HybridIndex.build(passages, encoder, "m")

    if args.compare:
        asked_file = Path(__file__).with_name("asked_as_experiment.json")
        for tokenizer, asked in (("words", None), ("code", None), ("code", asked_file)):
            rows = rows_for(index_with(tokenizer, asked), questions)
            label = f"{tokenizer} tokens" + (", asked-as passages" if asked else "")
            fixed = [score(r, [0, 1], np.array([0.5, 0.5])) for r in rows]
            on = [s for s in fixed if s.row.expected]
            print(f"{label:32} fixed formula:   top-1 {sum(s.right for s in on) / len(on):5.1%}")
            for name, cols in (("dense+bm25", [0, 1]), ("dense+bm25+asked", [0, 1, 2])):
                if name.endswith("asked") and not asked:
                    continue
                for short in (False, True):
                    scored = cross_validate(rows, cols, short)
                    how = f"{name}, confidence from score{' + 1/terms' if short else ''}"
                    print(f"{label:32} learned {how:48} {summary(scored, args.threshold, gap)}")
        ix.BM25_TOKENIZER = "code"
        return

    rows = rows_for(index_with(args.tokenizer, args.asked_as), questions)
    cols = [0, 1, 2] if args.asked_as else [0, 1]
    scored = cross_validate(rows, cols)
    print("cross-validated (leave one question out), tuning data only:")
    for threshold in (0.4, 0.5, 0.55, 0.6):
        for g in (0.0, 0.5, gap, 1.0):
            print(f"  threshold {threshold:.2f} gap {g:.2f}: {summary(scored, threshold, g)}")
    w = fit_ranking(rows, cols)
    everything = [score(r, cols, w) for r in rows]
    a, b, c = fit_logistic(
        confidence_inputs(everything, True),
        np.array([s.right for s in everything], dtype=float),
    )
    names = [ix.FEATURES[c] for c in cols]
    weights = ", ".join(f'"{n}": {v:.2f}' for n, v in zip(names, w, strict=True))
    where = "saved beside the adapter with --save" if args.adapter else "knowledge/index.py"
    print(f"\nfitted on all the tuning data (commit these in {where}):")
    print(f"  RANKING_WEIGHTS = {{{weights}}}")
    print(f'  CONFIDENCE = {{"intercept": {a:.2f}, "slope": {b:.2f}, "short": {c:.2f}}}')
    folder = adapter_folder(args.adapter)
    if args.save and folder is not None:
        fusion = {
            "ranking": {n: round(float(v), 2) for n, v in zip(names, w, strict=True)},
            "confidence": {"intercept": round(a, 2), "slope": round(b, 2), "short": round(c, 2)},
            "fitted_on": "bench/ask_questions.tsv, ask_offtopic_tuning.tsv, ask_questions_short.tsv",
        }
        (folder / FUSION_FILE).write_text(json.dumps(fusion, indent=2) + "\n")
        print(f"saved {folder / FUSION_FILE}")


if __name__ == "__main__":
    main()
