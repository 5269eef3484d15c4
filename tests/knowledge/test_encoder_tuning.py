import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from knowledge.cards import load_cards
from knowledge.encoder_tuning import (
    ADAPTER_DIR,
    FUSION_FILE,
    META_FILE,
    WEIGHTS_FILE,
    AdapterError,
    TuningConfig,
    card_pieces,
    load_encoder,
    merge_adapter,
    read_fusion,
    save_adapter,
    train_adapter,
    training_steps,
)
from knowledge.index import card_passages

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
SENTENCE = "why does my validation loss go up while training loss goes down"


def test_training_pairs_come_from_the_cards_alone():
    """Every anchor is a piece of a card and every positive one of that card's passages (so
    no question set is ever trained on), never the passage the anchor is part of."""
    cards = load_cards()
    passages = {c.id: card_passages([c]) for c in cards}
    config = TuningConfig(steps=3)
    for batch in training_steps(cards, config):
        assert len(batch) == len(cards)  # one pair per card: every other card is a negative
        for anchor, positive in batch:
            assert any(
                any(p.text == positive and p.section != section for p in passages[card.id])
                for card in cards
                for section, text in card_pieces(card)
                if text == anchor
            ), (anchor, positive)
    assert training_steps(cards, config) == training_steps(cards, config)  # seeded


@pytest.fixture(scope="module")
def tiny_encoder_dir(tmp_path_factory, tiny_classifier_dir):
    """A 2-layer BERT with mean pooling, saved as a sentence-transformers folder."""
    from sentence_transformers import SentenceTransformer

    folder = tmp_path_factory.mktemp("tiny-encoder")
    SentenceTransformer(str(tiny_classifier_dir), device="cpu").save(str(folder))
    return folder


def test_training_is_seeded_and_the_merged_adapter_is_w_plus_scaled_ba(tmp_path, tiny_encoder_dir):
    import torch
    from sentence_transformers import SentenceTransformer

    cards = load_cards()[:4]
    config = TuningConfig(steps=2, max_tokens=32)
    first = train_adapter(cards, config, tiny_encoder_dir)
    again = train_adapter(cards, config, tiny_encoder_dir)
    assert first.keys() == again.keys() and first
    assert all(torch.equal(first[k], again[k]) for k in first)
    save_adapter(tmp_path, first, config, cards)
    meta = json.loads((tmp_path / META_FILE).read_text())
    assert meta["config"]["seed"] == config.seed and meta["cards"]

    model = SentenceTransformer(str(tiny_encoder_dir), device="cpu")
    bert = model[0].auto_model
    name = "encoder.layer.0.attention.self.query"
    before = bert.get_submodule(name).weight.detach().clone()
    identity = merge_adapter(model, tmp_path)
    expected = before + config.alpha / config.rank * (
        first[f"{name}.lora_B"] @ first[f"{name}.lora_A"]
    )
    assert torch.allclose(bert.get_submodule(name).weight, expected, atol=1e-6)
    assert len(identity) == 12


def test_the_committed_adapter_loads_and_changes_the_embeddings():
    plain = load_encoder(MODEL)
    tuned = load_encoder(MODEL, "course")
    assert plain.key == MODEL and plain.fusion is None
    assert tuned.key.startswith(f"{MODEL}+lora-")
    assert tuned.encoder is not plain.encoder
    assert tuned.fusion == read_fusion(ADAPTER_DIR)
    a, b = (
        e.encoder.encode([SENTENCE], normalize_embeddings=True, convert_to_numpy=True)[0]
        for e in (plain, tuned)
    )
    assert 0.5 < float(a @ b) < 0.9999  # the same space, moved by the fine-tune
    # the plain model, shared with everything else, is left unchanged
    assert load_encoder(MODEL).encoder is plain.encoder
    again = plain.encoder.encode([SENTENCE], normalize_embeddings=True, convert_to_numpy=True)[0]
    assert np.allclose(again, a)


@pytest.mark.slow
def test_the_bot_index_uses_the_adapter_when_the_settings_name_it(settings, tmp_path):
    from bot.app.tutor import Tutor

    tuned = load_encoder(MODEL, "course")
    tutor = Tutor(settings.model_copy(update={"embedding_adapter": "course"}))
    try:
        assert tutor.res.embedding_key == tuned.key
        index = tutor.ask.library.knowledge().index
        assert index.fusion == tuned.fusion
        assert index._encoder is tuned.encoder
        vector = tuned.encoder.encode([index.passages[0].text], normalize_embeddings=True)[0]
        assert np.allclose(index.vectors[0], vector, atol=1e-5)  # card vectors from it
    finally:
        tutor.close()


def _damage(folder: Path, how: str) -> None:
    weights, meta = folder / WEIGHTS_FILE, folder / META_FILE
    if how == "missing folder":
        shutil.rmtree(folder)
    elif how == "missing weights":
        weights.unlink()
    elif how == "garbage weights":
        weights.write_bytes(b"not safetensors at all")
    elif how == "truncated weights":
        weights.write_bytes(weights.read_bytes()[:300])
    elif how == "not JSON meta":
        meta.write_text("{")
    elif how == "another base model":
        meta.write_text(json.dumps({**json.loads(meta.read_text()), "base_model": "gpt2"}))
    elif how in ("wrong shapes", "not finite", "unknown module"):
        import torch
        from safetensors.torch import load_file, save_file

        matrices = load_file(weights)
        key = next(k for k in matrices if k.endswith(".lora_A"))
        if how == "wrong shapes":
            matrices[key] = torch.zeros(8, 10)
        elif how == "not finite":
            matrices[key] = matrices[key] * float("nan")
        else:
            matrices["encoder.layer.99.query.lora_A"] = matrices[key].clone()
            matrices["encoder.layer.99.query.lora_B"] = matrices[key.replace("_A", "_B")].clone()
        save_file(matrices, weights)


@pytest.mark.parametrize(
    "how",
    [
        "missing folder",
        "missing weights",
        "garbage weights",
        "truncated weights",
        "not JSON meta",
        "another base model",
        "wrong shapes",
        "not finite",
        "unknown module",
    ],
)
def test_a_missing_or_damaged_adapter_leaves_the_plain_model_with_a_warning(tmp_path, caplog, how):
    folder = tmp_path / "adapter"
    shutil.copytree(ADAPTER_DIR, folder)
    _damage(folder, how)
    with caplog.at_level(logging.WARNING, logger="knowledge.encoder_tuning"):
        loaded = load_encoder(MODEL, str(folder))
    assert loaded == load_encoder(MODEL)  # the plain model, under its own name
    assert loaded.fusion is None
    assert "embedding adapter left out" in caplog.text


def test_a_damaged_adapter_changes_no_weight(tmp_path):
    from sentence_transformers import SentenceTransformer

    from skills.models import packaged_minilm_path

    folder = tmp_path / "adapter"
    shutil.copytree(ADAPTER_DIR, folder)
    _damage(folder, "unknown module")  # the good matrices come first, the bad one last
    model = SentenceTransformer(str(packaged_minilm_path()), device="cpu")
    before = model.encode([SENTENCE])
    with pytest.raises(AdapterError):
        merge_adapter(model, folder)
    assert np.array_equal(model.encode([SENTENCE]), before)


def test_an_adapter_is_not_merged_into_another_model(caplog, tiny_encoder_dir):
    with caplog.at_level(logging.WARNING, logger="knowledge.encoder_tuning"):
        loaded = load_encoder(str(tiny_encoder_dir), "course")
    assert loaded.key == str(tiny_encoder_dir)
    assert "made for" in caplog.text and "left out" in caplog.text


def test_no_adapter_and_fusion_file_is_optional(tmp_path):
    assert load_encoder(MODEL, "none") == load_encoder(MODEL, "")
    assert read_fusion(tmp_path) is None
    (tmp_path / FUSION_FILE).write_text('{"ranking": 3}')
    assert read_fusion(tmp_path) is None


def test_an_adapter_trained_on_other_card_text_still_loads_and_says_so(tmp_path, caplog):
    folder = tmp_path / "adapter"
    shutil.copytree(ADAPTER_DIR, folder)
    meta = json.loads((folder / META_FILE).read_text())
    (folder / META_FILE).write_text(json.dumps({**meta, "cards": "cards of another term"}))
    with caplog.at_level(logging.INFO, logger="knowledge.encoder_tuning"):
        loaded = load_encoder(MODEL, str(folder))
    assert loaded.key.startswith(f"{MODEL}+lora-")
    assert "trained on other card text" in caplog.text
