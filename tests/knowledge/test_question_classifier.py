import dataclasses
import logging

import numpy as np
import pytest

from knowledge.cards import load_cards
from knowledge.index import FEATURES, HybridIndex, card_passages, encode
from knowledge.question_classifier import (
    CLASSIFIER_FILE,
    OUTSIDE,
    QuestionClassifier,
    fit_weights,
    load_classifier,
    save_classifier,
    targets_for,
)

MODEL = "sentence-transformers/all-MiniLM-L6-v2"


@pytest.fixture(scope="module")
def shipped() -> QuestionClassifier:
    classifier = load_classifier(MODEL)
    assert classifier is not None
    return classifier


def test_the_shipped_classifier_knows_every_card_and_the_outside(shipped):
    assert set(shipped.cards) == {c.id for c in load_cards()}
    assert shipped.labels[-1] == OUTSIDE
    assert shipped.weights.shape == (384, len(shipped.labels))
    assert {"intercept", "slope", "short", "gap", "outside", "agree"} <= set(shipped.confidence)


def test_it_tells_a_course_question_from_one_outside_the_course(shipped, real_encoder):
    course, outside = encode(
        real_encoder,
        [
            "my gpt-2 keeps writing the same sentence over and over, how do i stop it",
            "what temperature should I bake sourdough bread at?",
        ],
    )
    p = shipped.probabilities(course)
    assert p.sum() == pytest.approx(1.0)
    assert shipped.labels[int(np.argmax(p))] == "generation-strategies"
    q = shipped.probabilities(outside)
    assert q[shipped.labels.index(OUTSIDE)] > 0.5


def test_a_classifier_for_another_encoder_is_left_out(tmp_path, shipped, caplog):
    path = tmp_path / "classifier.npz"
    save_classifier(path, shipped)
    assert load_classifier(MODEL, path) is not None
    assert load_classifier(MODEL + "+lora-abc", path) is None  # an adapter's vectors differ


@pytest.mark.parametrize("damage", ["missing", "garbage", "wrong shape"])
def test_a_missing_or_damaged_classifier_is_logged_and_left_out(tmp_path, shipped, caplog, damage):
    path = tmp_path / "classifier.npz"
    if damage == "garbage":
        path.write_bytes(b"not an npz file at all")
    elif damage == "wrong shape":
        broken = QuestionClassifier(
            (*shipped.labels[:-3], OUTSIDE),
            shipped.weights,
            shipped.bias,
            MODEL,
            shipped.ranking_weight,
            shipped.confidence,
        )
        save_classifier(path, broken)
    with caplog.at_level(logging.WARNING):
        assert load_classifier(MODEL, path) is None
    assert "question classifier" in caplog.text


def test_fitting_learns_a_separable_problem_and_shares_acceptable_labels():
    rng = np.random.default_rng(0)
    centres = np.eye(3, 8) * 4
    x = np.vstack([c + rng.normal(0, 0.3, (30, 8)) for c in centres])
    labels = ("a", "b", OUTSIDE)
    y = targets_for(labels, [{labels[i // 30]} for i in range(90)])
    w, b = fit_weights(x, y, l2=0.1)
    assert ((x @ w + b).argmax(1) == np.repeat([0, 1, 2], 30)).all()
    shared = targets_for(labels, [{"a", "b"}, {OUTSIDE}])
    assert shared.tolist() == [[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]
    again = fit_weights(x, y, l2=0.1)
    assert np.array_equal(again[0], w)  # deterministic


def test_the_index_ranks_with_it_and_without_it_as_before(real_encoder, shipped):
    cards = load_cards()
    passages = card_passages(cards)
    vectors = encode(real_encoder, [p.text for p in passages])
    plain = HybridIndex(passages, vectors, real_encoder)
    learned = HybridIndex(passages, vectors, real_encoder, classifier=shipped)
    question = "my gpt-2 keeps writing the same sentence over and over, how do i stop it"
    _, features, _ = plain.features(question)
    assert not features[:, FEATURES.index("classifier") :].any()  # no classifier: zeros
    _, features, _ = learned.features(question)
    assert features[:, FEATURES.index("classifier")].max() == 0.0  # the best card's own
    assert learned.search(question)[0].source_id == "generation-strategies"
    assert plain.search(question)[0].outside == 0.0
    off = learned.search("what temperature should I bake sourdough bread at?")[0]
    assert off.outside > 0.5 and off.score < 0.5


def test_the_shipped_file_is_small():
    assert CLASSIFIER_FILE.stat().st_size < 200_000


def test_a_course_sounding_question_no_card_answers_is_likelier_outside(shipped, real_encoder):
    # fitted with bench/ask_unanswered_tuning.tsv: naming BERT does not make it a card's question
    (vector,) = encode(real_encoder, ["Can BERT read handwriting?"])
    assert shipped.probabilities(vector)[shipped.labels.index(OUTSIDE)] > 0.5


def test_the_index_leaves_it_out_for_other_vectors_or_other_cards(shipped, caplog):
    cards = load_cards()
    passages = card_passages(cards)
    small = np.random.default_rng(0).normal(size=(len(passages), 8)).astype(np.float32)
    with caplog.at_level(logging.INFO, logger="knowledge.index"):
        other_vectors = HybridIndex(passages, small, encoder=None, classifier=shipped)  # type: ignore[arg-type]
    assert other_vectors.classifier is None and "left out" in caplog.text
    few = [p for p in passages if p.source_id in {"attention", "lora-and-peft"}]
    vectors = np.zeros((len(few), 384), dtype=np.float32)
    vectors[:, 0] = 1.0
    assert HybridIndex(few, vectors, encoder=None, classifier=shipped).classifier is not None  # type: ignore[arg-type]
    renamed = [dataclasses.replace(p, source_id="my-" + p.source_id) for p in few]
    assert HybridIndex(renamed, vectors, encoder=None, classifier=shipped).classifier is None  # type: ignore[arg-type]
