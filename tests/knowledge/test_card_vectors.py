"""The cards' vectors that ship with the project are current, and a fresh data directory
starts from them instead of embedding every card."""

import numpy as np

from knowledge import card_vectors
from knowledge.cards import load_cards
from knowledge.index import card_passages, text_key
from skills.models import load_sentence_encoder


def test_the_shipped_vectors_cover_every_card_passage():
    seed = card_vectors.shipped()
    missing = [p.source_id for p in card_passages(load_cards()) if text_key(p.text) not in seed]
    assert missing == [], (
        f"{len(missing)} card passages have no shipped vector (cards edited?): "
        "run `python -m knowledge.card_vectors` and commit knowledge/card_vectors.npz"
    )


def test_the_shipped_vectors_are_the_packaged_models_own():
    seed = card_vectors.shipped()
    passages = card_passages(load_cards())[::25]
    encoder = load_sentence_encoder(card_vectors.MODEL)
    fresh = encoder.encode([p.text for p in passages], normalize_embeddings=True)
    shipped = np.stack([seed[text_key(p.text)] for p in passages])
    assert np.abs(fresh - shipped).max() < 1e-5


def test_a_fresh_data_directory_embeds_no_card(settings, monkeypatch):
    from bot.app.tutor import Tutor

    class Counting:
        def __init__(self, inner):
            self.inner, self.texts = inner, 0

        def encode(self, texts, **kwargs):
            self.texts += len(texts)
            return self.inner.encode(texts, **kwargs)

    counting = Counting(load_sentence_encoder(card_vectors.MODEL))
    settings.index_dir = settings.data_dir / "index"  # nothing persisted: a first start
    tutor = Tutor(settings, encoder=counting)
    try:
        reply = tutor.ask.ask(_actor(), "what is lora?")
        assert reply.to_json()["concept"] == "lora-and-peft"
        assert counting.texts == 1  # the question only
    finally:
        tutor.close()


def _actor():
    from bot.app.context import CONSOLE_SERVER, Actor

    return Actor("ana", "ana", CONSOLE_SERVER, "console")
