"""The packaged MiniLM on numpy gives sentence-transformers' own vectors."""

import numpy as np
import pytest

from skills.minilm import MAX_TOKENS, MiniLMEncoder
from skills.models import packaged_minilm_path

TEXTS = [
    "what is lora",
    "How many steps per epoch with 1,000 examples and batch size 10?",
    "",
    "Tokenizers split text: ##ing, Ġthe, [CLS] and [SEP] are special; <mask> too.",
    "word " * 400,  # longer than the model's 256 tokens: cut, as sentence-transformers does
    "Ünïcödé ✓ 日本語 🙂",
    *[f"sentence {i} about attention masks and padding" for i in range(40)],
]


@pytest.fixture(scope="module")
def numpy_encoder() -> MiniLMEncoder:
    return MiniLMEncoder(packaged_minilm_path())


def test_vectors_match_sentence_transformers(numpy_encoder):
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(packaged_minilm_path()), device="cpu")
    assert reference.max_seq_length == MAX_TOKENS
    expected = reference.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    got = numpy_encoder.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    assert got.dtype == np.float32 and got.shape == expected.shape
    assert np.abs(got - expected).max() < 1e-5
    # the model's pipeline ends in Normalize: unit vectors either way
    plain = numpy_encoder.encode(TEXTS[:3])
    assert np.abs(plain - reference.encode(TEXTS[:3], convert_to_numpy=True)).max() < 1e-5


def test_batching_does_not_change_a_vector(numpy_encoder):
    alone = numpy_encoder.encode(["what is lora"], normalize_embeddings=True)[0]
    batched = numpy_encoder.encode(TEXTS, normalize_embeddings=True, batch_size=7)[0]
    assert np.abs(alone - batched).max() < 1e-6
    assert numpy_encoder.encode([]).shape == (0, 384)


def test_a_bulk_encode_on_torch_gives_the_same_vectors(numpy_encoder):
    from skills.minilm import TORCH_FROM

    texts = [f"question {i}: what does the attention mask do?" for i in range(TORCH_FROM)]
    texts[1:4] = TEXTS[1:4]
    assert len(texts) >= TORCH_FROM  # the torch path, as an ingest takes it
    bulk = numpy_encoder.encode(texts)
    few = np.concatenate([numpy_encoder.encode(texts[i : i + 8]) for i in range(0, len(texts), 8)])
    assert np.abs(bulk - few).max() < 1e-5
