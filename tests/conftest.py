"""Shared fixtures: the real packaged MiniLM encoder (loaded once) and Tutors on temp dirs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import FakeClock, tiny_bert_config

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

COURSE_DIR = Path(__file__).resolve().parents[2] / "shared" / "course"


class CountingEncoder:
    """Wraps the real encoder and counts how many texts it embedded."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.texts_encoded = 0

    def encode(self, sentences, **kwargs):
        self.texts_encoded += len(sentences)
        return self.inner.encode(sentences, **kwargs)


@pytest.fixture(scope="session")
def real_encoder():
    from skills.models import load_sentence_encoder

    return load_sentence_encoder("sentence-transformers/all-MiniLM-L6-v2")


@pytest.fixture(scope="session")
def inside_model():
    """The packaged MiniLM through transformers, with attention weights (loaded once)."""
    from skills.inside import load_inside_model

    return load_inside_model()


@pytest.fixture
def encoder(real_encoder) -> CountingEncoder:
    return CountingEncoder(real_encoder)


@pytest.fixture(scope="session")
def shared_index_dir(tmp_path_factory) -> Path:
    # Index folders are keyed by a content fingerprint, so tests can share them safely.
    return tmp_path_factory.mktemp("index")


@pytest.fixture
def settings(tmp_path, shared_index_dir):
    from bot.config import Settings

    # No pause between quiz questions unless a test asks for one: timers stay easy to follow.
    # Leases run out after a second, so a "crashed" process's work is recovered quickly.
    return Settings(
        data_dir=tmp_path / "data",
        index_dir=shared_index_dir,
        quiz_gap_seconds=0,
        lease_seconds=1.0,
        heartbeat_seconds=0.2,
        _env_file=None,
    )


@pytest.fixture
def tutor(settings, encoder) -> Iterator:
    from bot.app.tutor import Tutor

    tutor = Tutor(settings, encoder=encoder)
    yield tutor
    tutor.close()


@pytest.fixture
def course_dir() -> Path:
    if not COURSE_DIR.is_dir():
        pytest.skip("../shared/course is not next to this checkout")
    return COURSE_DIR


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# Sentences the tiny masked-LM learns by heart, so its predictions are predictable in tests.
TINY_MLM_FACTS = [
    ("the cat sat on the mat .", "cat"),
    ("paris is the capital of france .", "france"),
    ("the dog barked at the mailman .", "dog"),
]


@pytest.fixture(scope="session")
def tiny_mlm_dir(tmp_path_factory) -> Path:
    """A small BertForMaskedLM with the real bert-base-uncased WordPiece vocabulary, trained
    for a few seconds to fill the blanks in TINY_MLM_FACTS, saved as safetensors."""
    import torch
    from transformers import BertForMaskedLM, BertTokenizerFast

    from skills.models import packaged_minilm_path

    torch.manual_seed(0)
    tokenizer = BertTokenizerFast.from_pretrained(str(packaged_minilm_path()))
    config = tiny_bert_config(tokenizer.vocab_size)
    model = BertForMaskedLM(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    batch = tokenizer([s for s, _ in TINY_MLM_FACTS], padding=True, return_tensors="pt")
    labels = torch.full_like(batch["input_ids"], -100)
    inputs = batch["input_ids"].clone()
    for row, (_, word) in enumerate(TINY_MLM_FACTS):
        position = batch["input_ids"][row].tolist().index(tokenizer.convert_tokens_to_ids(word))
        labels[row, position] = inputs[row, position]
        inputs[row, position] = tokenizer.mask_token_id
    model.train()
    for _ in range(120):
        loss = model(input_ids=inputs, attention_mask=batch["attention_mask"], labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    folder = tmp_path_factory.mktemp("tiny-mlm")
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture
def no_hub(monkeypatch):
    """Fail the test if anything tries to reach a model hub."""
    from skills import models

    def refuse(*args, **kwargs):
        raise AssertionError("tried to contact the model hub")

    monkeypatch.setattr(models, "hub_reachable", refuse)


@pytest.fixture(scope="session")
def sentiment_data(tmp_path_factory) -> Path:
    """A tiny two-class sentiment set (train.tsv + dev.tsv) that a tiny model learns fast."""
    import random

    rng = random.Random(0)
    good = ["good", "great", "wonderful", "lovely", "brilliant"]
    bad = ["bad", "awful", "terrible", "boring", "dreadful"]
    nouns = ["film", "movie", "story", "cast", "plot", "ending"]

    def rows(n: int) -> str:
        lines = ["sentence\tlabel"]
        for _ in range(n):
            label = rng.randint(0, 1)
            word = rng.choice(good if label else bad)
            lines.append(f"a {word} {rng.choice(nouns)} , truly {word} .\t{label}")
        return "\n".join(lines) + "\n"

    folder = tmp_path_factory.mktemp("sentiment")
    (folder / "train.tsv").write_text(rows(300))
    (folder / "dev.tsv").write_text(rows(60))
    return folder


@pytest.fixture(scope="session")
def tiny_classifier_dir(tmp_path_factory) -> Path:
    """A freshly initialised 2-layer BERT (hidden 64) with the real WordPiece vocabulary.

    Fine-tune tests use this rather than the tiny masked-LM: that one was trained on three
    sentences until its representations collapsed, which a low-rank update cannot undo."""
    import torch
    from transformers import BertForSequenceClassification, BertTokenizerFast

    from skills.models import packaged_minilm_path

    torch.manual_seed(0)
    tokenizer = BertTokenizerFast.from_pretrained(str(packaged_minilm_path()))
    config = tiny_bert_config(tokenizer.vocab_size)
    folder = tmp_path_factory.mktemp("tiny-classifier")
    BertForSequenceClassification(config).save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder
