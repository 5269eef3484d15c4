"""A question classifier learned from students' own questions: which card a question is about,
or that it is outside the course.

Retrieval matches a question against the cards' text; students rarely use that text ("my
model keeps saying the same sentence over and over" is about generation strategies). The
project's tuning sets hold thousands of student questions labelled with the card that answers
them, and hundreds of off-topic ones. A multinomial logistic regression on their (frozen)
MiniLM embeddings, one class per card and one for "outside the course", learns that mapping;
its probabilities join retrieval's features (knowledge.index): the ranking adds the log
probability of each card, and the confidence adds how sure the classifier is of the top card
and how likely the question is to be off-topic.

The artefact is knowledge/question_classifier.npz: the weights (384 x 41 floats), the labels,
the embedding model they were fitted for, and the ranking weight and confidence coefficients
fitted with them out of sample (each tuning set's questions scored by a classifier that never
saw that set). `python bench/fit_question_classifier.py` fits all of it on the tuning sets
only (the held-out sets are never read) and prints the leave-one-set-out figures.

The bot ranks with it (bot/app/resources.py loads it, bot/app/library.py hands it to the
index); `python bench/ask_quality.py --retrieval-only` measures the bot without it.

Loading needs only numpy. A missing, damaged or foreign file (fitted for another embedding
model, or for an adapter) is logged and left out: retrieval then ranks as it did without it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

CLASSIFIER_FILE = Path(__file__).with_name("question_classifier.npz")
OUTSIDE = "-"  # the label of a question outside the course
CLASSIFIER_FORMAT = 1


@dataclass(frozen=True)
class QuestionClassifier:
    labels: tuple[str, ...]  # card ids, then OUTSIDE
    weights: np.ndarray  # (embedding dimensions, labels)
    bias: np.ndarray  # (labels,)
    encoder_key: str  # the embedding model (knowledge.encoder_tuning.TunedEncoder.key)
    ranking_weight: float  # the log probability's weight in the ranking score
    confidence: dict[str, float]  # the calibration fitted with it (knowledge.index.fuse)

    def probabilities(self, vector: np.ndarray) -> np.ndarray:
        """P(label | question) for one question's embedding, in `labels` order."""
        logits = vector.astype(np.float64) @ self.weights + self.bias
        logits -= logits.max()
        p = np.exp(logits)
        return p / p.sum()

    @property
    def cards(self) -> tuple[str, ...]:
        return tuple(label for label in self.labels if label != OUTSIDE)

    def fits(self, dimensions: int, card_ids: Collection[str]) -> bool:
        """Whether it was fitted for vectors of these dimensions and (mostly) these cards: a
        card or two added since it was fitted are ranked without it, but a different course's
        cards, or a test's few, would be scored against labels that are not theirs."""
        known = len(set(card_ids) & set(self.cards))
        return dimensions == self.weights.shape[0] and known >= 0.9 * max(1, len(card_ids))


def save_classifier(path: Path, classifier: QuestionClassifier) -> None:
    meta = {
        "format": CLASSIFIER_FORMAT,
        "labels": list(classifier.labels),
        "encoder_key": classifier.encoder_key,
        "ranking_weight": classifier.ranking_weight,
        "confidence": classifier.confidence,
    }
    with path.open("wb") as out:
        np.savez_compressed(
            out,
            weights=classifier.weights.astype(np.float32),
            bias=classifier.bias.astype(np.float32),
            meta=np.array(json.dumps(meta)),
        )


def load_classifier(encoder_key: str, path: Path = CLASSIFIER_FILE) -> QuestionClassifier | None:
    """The classifier fitted for `encoder_key`'s embeddings; None (logged) when the file is
    missing, damaged or fitted for another embedding model."""
    if not path.exists():
        log.warning("question classifier %s missing: ranking by retrieval alone", path)
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            weights, bias = data["weights"], data["bias"]
        labels = tuple(str(label) for label in meta["labels"])
        if meta["format"] != CLASSIFIER_FORMAT or weights.shape != (weights.shape[0], len(labels)):
            raise ValueError("unexpected format or shape")
        if bias.shape != (len(labels),) or OUTSIDE not in labels:
            raise ValueError("unexpected labels")
        confidence = {str(k): float(v) for k, v in meta["confidence"].items()}
        classifier = QuestionClassifier(
            labels,
            weights.astype(np.float64),
            bias.astype(np.float64),
            str(meta["encoder_key"]),
            float(meta["ranking_weight"]),
            confidence,
        )
    except Exception as exc:  # any damage: the bot still answers, by retrieval alone
        log.warning("question classifier %s left out (damaged): %s", path, exc)
        return None
    if classifier.encoder_key != encoder_key:
        log.info("question classifier fitted for %s, not %s: left out", classifier.encoder_key,
                 encoder_key)  # fmt: skip
        return None
    return classifier


def fit_weights(
    vectors: np.ndarray,
    targets: np.ndarray,
    sample_weights: np.ndarray | None = None,
    l2: float = 0.125,
    seed: int = 13,
) -> tuple[np.ndarray, np.ndarray]:
    """A multinomial logistic regression: `targets` (rows, labels) are probabilities (one-hot,
    or shared among a question's acceptable cards). Minimises the weighted mean cross-entropy
    plus l2 x ||W||^2 / rows with L-BFGS (torch), deterministic for a seed. Returns (weights
    (dimensions x labels), bias (labels))."""
    import torch

    torch.manual_seed(seed)
    x = torch.tensor(vectors, dtype=torch.float64)
    y = torch.tensor(targets, dtype=torch.float64)
    sw = torch.ones(len(x), dtype=torch.float64)
    if sample_weights is not None:
        sw = torch.tensor(sample_weights, dtype=torch.float64)
    w = torch.zeros((x.shape[1], y.shape[1]), dtype=torch.float64, requires_grad=True)
    b = torch.zeros(y.shape[1], dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.LBFGS([w, b], lr=1.0, max_iter=500, line_search_fn="strong_wolfe")

    def loss_fn() -> Any:
        optimiser.zero_grad()
        logp = torch.log_softmax(x @ w + b, dim=1)
        loss = -(sw * (y * logp).sum(1)).sum() / sw.sum() + l2 * (w**2).sum() / len(x)
        loss.backward()
        return loss

    optimiser.step(loss_fn)
    return w.detach().numpy(), b.detach().numpy()


def targets_for(labels: Sequence[str], acceptable: Sequence[set[str]]) -> np.ndarray:
    """One row per question: probability shared evenly among its acceptable labels."""
    out = np.zeros((len(acceptable), len(labels)))
    position = {label: i for i, label in enumerate(labels)}
    for row, ids in enumerate(acceptable):
        known = [position[i] for i in ids if i in position]
        out[row, known] = 1.0 / len(known)
    return out
