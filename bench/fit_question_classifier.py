"""Fit the question classifier (knowledge/question_classifier.py) on the TUNING sets only, with
the ranking weight of its log probabilities and the confidence calibration fitted with it, and
print what it does out of sample. The held-out sets are never read.

    python bench/fit_question_classifier.py            # figures only
    python bench/fit_question_classifier.py --save     # and write knowledge/question_classifier.npz
    python bench/fit_question_classifier.py --answer-path   # and leave-one-set-out through the
                                                            # whole answer path (about 15 min)

1. Training rows: every question of every tuning set (bench/ask_quality.py SETS whose name
   starts with "tuning"), labelled with its card(s) or as outside the course, and each card's
   title, aliases and "Students ask" lines labelled with the card.
2. Out of sample: leave one tuning set out, fit on the others, score the set left out; every
   question's probabilities come from a classifier that never saw its set (a new set is what
   the bot meets in class).
3. With those probabilities, for each ranking weight: how often the right card ranks first,
   and a logistic regression of "the top card is right" on the top card's ranking
   score, 1 / the question's terms, its lead (as knowledge.index.fuse), the logit of P(outside
   the course) and the classifier's log probability of the top card. Off-topic questions are
   negatives. Its figures are leave-one-set-out too.
4. `--answer-path`: each tuning set answered by `KnowledgeBase.answer` with the classifier that
   never saw it, for retrieval alone and each weight of ANSWER_PATH_WEIGHTS. RANKING_WEIGHT is
   chosen there, not by top-1: the answer path's own rules (worked numbers, misconceptions,
   comparisons, a concept's bare name) were written on these sets with retrieval alone, so the
   top-1 gain mostly does not reach the answers. Measured at L2 = 1/128
   (bench/results/question_classifier.txt): retrieval alone right 2969, wrong 142, declined
   49, off-topic answered 9 of 584; weight 0.5: 2988, 138, 34, 13; weight 1: 2986, 135, 39,
   14 (before bench/ask_unanswered_tuning.tsv joined the tuning sets).
   That set (course-sounding questions no card answers, labelled outside the course) is what
   let it be turned on: fitted without it, "Can BERT read handwriting?" was answered with
   BERT vs GPT at 0.77; with it, P(outside) is 0.95 and the question is declined (and, naming
   BERT, kept for the instructor).
5. The classifier saved is fitted once on all of it, with RANKING_WEIGHT. Stop 47's refit (set 15,
   tuning 16a, 16b, 17, 18 and 19, and the cards' symptoms and misconceptions; 6744 questions
   in 22 sets, bench/results/question_classifier_refit_19.txt), leave one set out before the
   answer path's own rules, threshold 0.5: right 5035, wrong 262, declined 190 of 5487,
   off-topic answered 83 of 1257 (retrieval alone 4626, 411, 450, 142). A higher threshold
   gives up more right answers than wrong ones (0.6: 5007, 238, 242; 0.7: 4949, 214, 324),
   so 0.5 stays. `--answer-path` was not rerun for it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ask_quality import SETS, read_questions
from bot.config import Settings
from knowledge import index as ix
from knowledge.answers import KnowledgeBase
from knowledge.cards import load_cards
from knowledge.encoder_tuning import BASE_MODEL, load_encoder
from knowledge.question_classifier import (
    CLASSIFIER_FILE,
    OUTSIDE,
    QuestionClassifier,
    fit_weights,
    save_classifier,
    targets_for,
)

RANKING_GRID = (0.5, 1.0, 1.5, 2.0, 3.0)
ANSWER_PATH_WEIGHTS = (0.5, 1.0)
RANKING_WEIGHT = 0.5  # chosen by --answer-path (see 4. above)
THRESHOLD_GRID = (0.4, 0.6, 0.7)  # answer thresholds printed beside Settings' own
# sklearn's C = 64 for this loss (1 / (2 C)): C = 1, 4, 16, 64, 256 ranked 0.934, 0.942, 0.948,
# 0.949, 0.946 first (weight 1, leave one set out)
L2 = 1 / 128


def _logistic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Coefficients (intercept first) of a logistic regression, nearly unregularised."""
    import torch

    xt = torch.tensor(np.column_stack([np.ones(len(x)), x]), dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64)
    w = torch.zeros(xt.shape[1], dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.LBFGS([w], max_iter=500, line_search_fn="strong_wolfe")

    def loss_fn():  # type: ignore[no-untyped-def]
        optimiser.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(xt @ w, yt)
        loss = loss + 1e-4 * (w[1:] ** 2).sum()
        loss.backward()
        return loss

    optimiser.step(loss_fn)
    return w.detach().numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--save", action="store_true", help=f"write {CLASSIFIER_FILE.name}")
    parser.add_argument(
        "--answer-path", action="store_true", help="leave one set out through the answer path"
    )
    args = parser.parse_args()

    cards = load_cards()
    ids = [c.id for c in cards]
    labels = (*ids, OUTSIDE)
    embedding = load_encoder(BASE_MODEL, "")
    index = ix.HybridIndex.build(ix.card_passages(cards), embedding.encoder, embedding.key)

    names, questions, acceptable, ranking, terms = [], [], [], [], []
    for name, path in SETS.items():
        if not name.startswith("tuning"):
            continue
        for question, expected in read_questions(path):
            state, features, _ = index.features(question)
            count = len(set(ix.bm25_tokens([question])[0]))
            scores, _ = ix.fuse(features, count, cards=state.is_card)
            order = [[s for s, _ in state.sources].index(i) for i in ids]
            names.append(name)
            questions.append(question)
            acceptable.append(expected & set(ids) if expected else {OUTSIDE})
            ranking.append(scores[order])
            terms.append(max(1, count))
    sets = sorted(set(names))
    print(f"{len(questions)} tuning questions in {len(sets)} sets")
    vectors = ix.encode(embedding.encoder, questions)
    card_lines = [(t, c.id) for c in cards for t in (c.title, *c.aliases, *c.students_ask)]
    line_vectors = ix.encode(embedding.encoder, [t for t, _ in card_lines])
    line_targets = targets_for(labels, [{c} for _, c in card_lines])
    targets = targets_for(labels, acceptable)

    # 2. out of sample: each set scored by a classifier fitted without it
    of_set = np.array(names)
    probabilities = np.zeros((len(questions), len(labels)))
    fold_weights = {}
    for held in sets:
        train = of_set != held
        fold_weights[held] = fit_weights(
            np.vstack([vectors[train], line_vectors]),
            np.vstack([targets[train], line_targets]),
            l2=L2,
        )
        probabilities[~train] = _softmax(vectors[~train], *fold_weights[held])

    course = np.array([OUTSIDE not in a for a in acceptable])
    logp = np.log(np.clip(probabilities[:, : len(ids)], 1e-12, None))
    off = np.clip(probabilities[:, -1], 1e-9, 1 - 1e-9)
    base = np.array(ranking)
    threshold = Settings().answer_threshold

    def ranked(weight: float) -> np.ndarray:
        return base + weight * (logp - logp.max(1, keepdims=True))

    def right_first(scores: np.ndarray) -> np.ndarray:
        top = scores.argmax(1)
        return np.array([ids[t] in a for t, a in zip(top, acceptable, strict=True)])

    def calibration_inputs(scores: np.ndarray, learned: bool) -> np.ndarray:
        top = scores.argmax(1)
        ordered = np.sort(scores, 1)
        lead = np.clip(ordered[:, -1] - ordered[:, -2], 0, ix.GAP_CAP)
        columns = [ordered[:, -1], 1 / np.array(terms), lead]
        if learned:
            columns += [np.log(off / (1 - off)), logp[np.arange(len(top)), top]]
        return np.column_stack(columns)

    def calibration(weight: float) -> dict[str, float]:
        scores = ranked(weight)
        c = _logistic(calibration_inputs(scores, True), right_first(scores) & course)
        names_ = ("intercept", "slope", "short", "gap", "outside", "agree")
        return {k: float(v) for k, v in zip(names_, c, strict=True)}

    print("top-1 of the course questions, by ranking weight (0: retrieval alone):")
    for weight in (0.0, *RANKING_GRID):
        print(f"  {weight}: {right_first(ranked(weight))[course].mean():.3f}")

    # 3. the calibration's figures, with and without the classifier, before the answer path
    for learned, weight in ((False, 0.0), (True, RANKING_WEIGHT)):
        scores = ranked(weight)
        x, y = calibration_inputs(scores, learned), right_first(scores) & course
        confidence = np.zeros(len(y))
        for held in sets:
            train = of_set != held
            c = _logistic(x[train], y[train])
            confidence[~train] = 1 / (1 + np.exp(-(c[0] + x[~train] @ c[1:])))
        for cut in sorted({threshold, *THRESHOLD_GRID}):
            answered = confidence >= cut
            right = int((answered & y).sum())
            wrong = int((answered & course & ~y).sum())
            print(
                f"{'with' if learned else 'without'} the classifier (ranking weight {weight}), "
                f"leave one set out, threshold {cut}, before the answer path's own rules: "
                f"right {right}, wrong {wrong}, declined {int(course.sum()) - right - wrong} of "
                f"{int(course.sum())}; off-topic answered {int((answered & ~course).sum())} of "
                f"{int((~course).sum())}"
            )

    # 4. through the whole answer path, each set by the classifier that never saw it
    if args.answer_path:
        kb = KnowledgeBase(cards, index, threshold)
        print("leave one set out through KnowledgeBase.answer:")
        for weight in (None, *ANSWER_PATH_WEIGHTS):
            tally: Counter[str] = Counter()
            thirteen: Counter[str] = Counter()
            confidence = calibration(weight) if weight is not None else {}
            for held in sets:
                if weight is None:
                    index.classifier, index.fusion = None, None
                else:
                    w, b = fold_weights[held]
                    fold = QuestionClassifier(labels, w, b, BASE_MODEL, weight, confidence)
                    index.classifier = fold
                    index.fusion = {
                        "ranking": {**ix.RANKING_WEIGHTS, "classifier": weight},
                        "confidence": confidence,
                    }
                for row in np.flatnonzero(of_set == held):
                    answer = kb.answer(questions[row])
                    outcome = _outcome(answer.concept if answer.answered else None,
                                       acceptable[row])  # fmt: skip
                    tally[outcome] += 1
                    if held.startswith("tuning 13"):
                        thirteen[outcome] += 1
            label = "retrieval alone" if weight is None else f"weight {weight}"
            print(f"  {label}: {dict(sorted(tally.items()))}; tuning 13: "
                  f"{dict(sorted(thirteen.items()))}", flush=True)  # fmt: skip
        index.classifier, index.fusion = None, None

    confidence = calibration(RANKING_WEIGHT)
    print("confidence:", {k: round(v, 3) for k, v in confidence.items()})
    if args.save:
        w, b = fit_weights(np.vstack([vectors, line_vectors]), np.vstack([targets, line_targets]),
                           l2=L2)  # fmt: skip
        classifier = QuestionClassifier(labels, w, b, BASE_MODEL, RANKING_WEIGHT, confidence)
        save_classifier(CLASSIFIER_FILE, classifier)
        print(f"wrote {CLASSIFIER_FILE}")


def _softmax(vectors: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    logits = vectors @ weights + bias
    logits -= logits.max(1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(1, keepdims=True)


def _outcome(concept: str | None, acceptable: set[str]) -> str:
    if OUTSIDE in acceptable:
        return "off-topic answered" if concept else "off-topic declined"
    if concept is None:
        return "declined"
    return "right" if concept in acceptable else "wrong"


if __name__ == "__main__":
    main()
