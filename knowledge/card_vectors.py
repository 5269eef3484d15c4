"""The concept cards' vectors under the packaged all-MiniLM-L6-v2, shipped with the project.

Embedding the cards' ~480 passages takes about 12 s on one core of the project's 2-core
machine: the whole of a first `tutor chat` or `tutor ask` on a fresh data directory. The
vectors are a pure function of the cards' text and the packaged model, so they ship here,
keyed by each passage's text, and a fresh data directory starts from them. A passage edited
since (or a card added) is simply not found and is embedded as before; a test fails when the
file falls behind the cards, and this rebuilds it:

    python -m knowledge.card_vectors
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import cast

import numpy as np

from knowledge.index import Encoder, Passage, card_passages, encode, text_key

SHIPPED = Path(__file__).resolve().parent / "card_vectors.npz"
MODEL = "sentence-transformers/all-MiniLM-L6-v2"  # the plain packaged model's storage key


@cache
def shipped() -> dict[str, np.ndarray]:
    """text key -> vector, for the plain packaged model; empty when the file is missing or
    damaged (then the cards are embedded as if it had never shipped)."""
    try:
        with np.load(SHIPPED, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
        if vectors.dtype != np.float32 or len(keys) != len(vectors):
            return {}
        return {str(k): v for k, v in zip(keys, vectors, strict=True)}
    except (OSError, ValueError, KeyError):
        return {}


def build(passages: list[Passage]) -> int:
    from skills.models import load_sentence_encoder

    encoder = cast(Encoder, load_sentence_encoder(MODEL))
    texts = sorted({p.text for p in passages})
    vectors = encode(encoder, texts)
    keys = np.array([text_key(t) for t in texts])
    np.savez(SHIPPED, keys=keys, vectors=vectors.astype(np.float32))
    return len(texts)


def main() -> None:
    from knowledge.cards import load_cards

    count = build(card_passages(load_cards()))
    print(f"{SHIPPED}: {count} passage vectors")


if __name__ == "__main__":
    main()
