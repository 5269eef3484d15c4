from knowledge.cards import load_cards
from knowledge.index import HybridIndex, Passage, card_passages, fingerprint

MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def test_persisted_index_is_loaded_without_re_embedding(tmp_path, encoder):
    passages = card_passages(load_cards())
    first, rebuilt = HybridIndex.load_or_build(tmp_path, passages, encoder, MODEL)
    assert rebuilt
    embedded = encoder.texts_encoded
    assert embedded == len(passages)
    second, rebuilt = HybridIndex.load_or_build(tmp_path, passages, encoder, MODEL)
    assert not rebuilt
    assert encoder.texts_encoded == embedded  # nothing re-embedded at start-up
    question = "what does the attention mask do with padding?"
    assert [h.source_id for h in first.search(question)] == [
        h.source_id for h in second.search(question)
    ]


def test_index_is_rebuilt_when_content_or_model_changes(tmp_path, encoder):
    passages = card_passages(load_cards())
    HybridIndex.load_or_build(tmp_path, passages, encoder, MODEL)
    changed = [*passages, Passage("notes.txt#1", "document", "LoRA rank is discussed in week 7.")]
    _, rebuilt = HybridIndex.load_or_build(tmp_path, changed, encoder, MODEL)
    assert rebuilt
    assert fingerprint(passages, MODEL) != fingerprint(passages, "another/model")
    # only the current index folder is kept
    assert [p.name for p in tmp_path.iterdir()] == [fingerprint(changed, MODEL)]


def test_damaged_index_is_rebuilt(tmp_path, encoder):
    passages = card_passages(load_cards())[:10]
    HybridIndex.load_or_build(tmp_path, passages, encoder, MODEL)
    folder = tmp_path / fingerprint(passages, MODEL)
    (folder / "dense.faiss").write_bytes(b"garbage")
    index, rebuilt = HybridIndex.load_or_build(tmp_path, passages, encoder, MODEL)
    assert rebuilt
    assert index.search("attention", k=1)


def test_methods_rank_sources_and_scores_are_bounded(tmp_path, encoder):
    index, _ = HybridIndex.load_or_build(tmp_path, card_passages(load_cards()), encoder, MODEL)
    for method in ("bm25", "dense", "hybrid"):
        hits = index.search("how many steps per epoch with batch size 10?", k=3, method=method)
        assert hits[0].source_id == "epochs-batches-steps", method
        assert len({h.source_id for h in hits}) == 3
    for hit in index.search("zzzz qqqq", k=5):
        assert 0.0 <= hit.score <= 1.0
