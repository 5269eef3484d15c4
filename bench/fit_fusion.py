"""Fit the learned fusion of lexical and dense scores, the confidence, the decline threshold
and the "if you meant" gap, on the TUNING data only: bench/ask_questions.tsv (76 concept
questions, 14 off-topic), bench/ask_offtopic_tuning.tsv (40 more off-topic questions, for
calibration), bench/ask_questions_short.tsv (29 short questions) and bench/ask_questions_tuning2.tsv
(250 concept questions, 32 off-topic, written like the held-out sets from ../shared/course and
the card ids only, when the first tuning set no longer told options apart). The held-out sets
are never read here.

    python bench/fit_fusion.py                      # the shipped configuration
    python bench/fit_fusion.py --compare            # with/without the cards' "Students ask"
                                                    # and the lead in the confidence
    python bench/fit_fusion.py --tokenizer words    # bm25s's own tokenizer instead
    python bench/fit_fusion.py --asked-as bench/asked_as_experiment.json
    python bench/fit_fusion.py --adapter course --save   # for the card-tuned encoder, saved
                                                         # beside it (knowledge/encoder_tuning.py)

1. Ranking: a conditional logit, i.e. a softmax over the 40 cards of each concept question,
   maximising the probability of the right card, over the index's features (the best cosine
   over a card's passages and its BM25 score squashed to [0, 1)). Two weights.
2. Confidence: a logistic regression of "the top card is right" on the top card's ranking
   score, 1 / the number of the question's terms (short questions score lower when they
   are right: bench/ask_questions_short.tsv) and the top card's lead over the second, capped
   at knowledge.index.GAP_CAP, with every off-topic question a negative. Four coefficients.
   A confidence of 0.5 means "as likely right as not", the decline threshold.
3. Everything is estimated by 10-fold cross-validation (each question scored by a fit that
   never saw it), then fitted once on all of it: the numbers to commit in
   knowledge/index.py (RANKING_WEIGHTS, CONFIDENCE).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, replace
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
TUNING_2 = Path(__file__).with_name("ask_questions_tuning2.tsv")


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
    gap: float  # top minus second ranking score (the "if you meant" test)
    lead: float  # the confidence's lead input, as the bot computes it (knowledge.index.lead)
    confidence: float = 0.0

    @property
    def right(self) -> bool:
        return bool(self.row.expected) and self.top in (self.row.expected or set())


def score(row: Row, cols: list[int], w: np.ndarray) -> Scored:
    s = row.features[:, cols] @ w
    order = np.argsort(-s, kind="stable")
    top, second = order[0], order[1]
    lead = float(ix.lead(s)[top])
    return Scored(row, row.ids[top], row.ids[second], s[top], s[top] - s[second], lead)


def confidence_inputs(scored: list[Scored], short: bool, gap: bool = True) -> np.ndarray:
    """The confidence's inputs: the top ranking score, 1 / the question's BM25 terms (a short
    question that matches well is as sure as a long one that matches better), and the top
    card's lead over the second, capped (one only just ahead is less sure)."""
    columns = [
        [s.ranking] + ([1 / max(1, s.row.terms)] if short else []) + ([s.lead] if gap else [])
        for s in scored
    ]
    return np.array(columns)


def cross_validate(
    rows: list[Row], cols: list[int], short: bool = True, folds: int = 10, gap: bool = True
) -> list[Scored]:
    """Each question ranked and given a confidence by fits that never saw it: `folds`-fold
    cross-validation (every folds-th question held out together)."""
    groups = [list(range(i, len(rows), folds)) for i in range(folds)]
    scored: list[Scored | None] = [None] * len(rows)
    for group in groups:
        held = set(group)
        w = fit_ranking([r for i, r in enumerate(rows) if i not in held], cols)
        for i in group:
            scored[i] = score(rows[i], cols, w)
    done = [s for s in scored if s is not None]
    x = confidence_inputs(done, short, gap)
    y = np.array([s.right for s in done], dtype=float)
    for group in groups:
        keep = np.ones(len(done), dtype=bool)
        keep[group] = False
        w = fit_logistic(x[keep], y[keep])
        for i in group:
            done[i].confidence = float(1 / (1 + np.exp(-(w[0] + x[i] @ w[1:]))))
    return done


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
    parser.add_argument(
        "--compare", action="store_true", help="the last round's options, cross-validated"
    )
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
    questions += read_questions(TUNING_2)
    gap = args.gap if args.gap is not None else ALTERNATIVE_GAP

    def index_with(
        tokenizer: str, asked_as: Path | None, students_ask: bool = True
    ) -> ix.HybridIndex:
        ix.BM25_TOKENIZER = tokenizer
        used = cards if students_ask else [replace(c, students_ask=()) for c in cards]
        passages = ix.card_passages(used)
        if asked_as:
            extra = json.loads(asked_as.read_text())
            passages += [
                ix.Passage(c, "card", q, "asked as") for c, qs in extra.items() for q in qs
            ]
        return ix.HybridIndex.build(passages, encoder, "m")

    if args.compare:
        # The options of the last round; the earlier ones (BM25 tokenizers, asked-as passages,
        # the fixed formula) are recorded in bench/results/ranking_options.txt.
        for students_ask in (False, True):
            rows = rows_for(index_with("code", None, students_ask), questions)
            for gap_input in (False, True):
                scored = cross_validate(rows, [0, 1], gap=gap_input)
                label = (
                    f"cards {'with' if students_ask else 'without'} 'Students ask', "
                    f"confidence {'with' if gap_input else 'without'} the lead"
                )
                print(f"{label:62} {summary(scored, args.threshold, gap)}")
        return

    rows = rows_for(index_with(args.tokenizer, args.asked_as), questions)
    cols = [0, 1, 2] if args.asked_as else [0, 1]
    scored = cross_validate(rows, cols)
    print("cross-validated (10 folds), tuning data only:")
    for threshold in (0.4, 0.5, 0.55, 0.6):
        for g in (0.0, 0.5, gap, 1.0):
            print(f"  threshold {threshold:.2f} gap {g:.2f}: {summary(scored, threshold, g)}")
    w = fit_ranking(rows, cols)
    everything = [score(r, cols, w) for r in rows]
    a, b, c, d = fit_logistic(
        confidence_inputs(everything, True),
        np.array([s.right for s in everything], dtype=float),
    )
    names = [ix.FEATURES[c] for c in cols]
    weights = ", ".join(f'"{n}": {v:.2f}' for n, v in zip(names, w, strict=True))
    where = "saved beside the adapter with --save" if args.adapter else "knowledge/index.py"
    print(f"\nfitted on all the tuning data (commit these in {where}):")
    print(f"  RANKING_WEIGHTS = {{{weights}}}")
    calibration = {"intercept": a, "slope": b, "short": c, "gap": d}
    print(f"  CONFIDENCE = {json.dumps({k: round(float(v), 2) for k, v in calibration.items()})}")
    folder = adapter_folder(args.adapter)
    if args.save and folder is not None:
        fusion = {
            "ranking": {n: round(float(v), 2) for n, v in zip(names, w, strict=True)},
            "confidence": {k: round(float(v), 2) for k, v in calibration.items()},
            "fitted_on": "bench/ask_questions.tsv, ask_questions_short.tsv, "
            "ask_questions_tuning2.tsv, ask_offtopic_tuning.tsv",
        }
        (folder / FUSION_FILE).write_text(json.dumps(fusion, indent=2) + "\n")
        print(f"saved {folder / FUSION_FILE}")


if __name__ == "__main__":
    main()
