import json
import shutil

import numpy as np
import pytest

from knowledge.cards import load_cards
from knowledge.index import HybridIndex, Passage, card_passages, fingerprint

MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def some_card_passages() -> list[Passage]:
    """Enough cards to search among; embedding all of them again in each test is minutes of CI."""
    return card_passages(load_cards()[:8])


def test_persisted_index_is_loaded_without_re_embedding(tmp_path, encoder):
    passages = some_card_passages()
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
    passages = some_card_passages()
    HybridIndex.load_or_build(tmp_path, passages, encoder, MODEL)
    changed = [*passages, Passage("notes.txt#1", "document", "LoRA rank is discussed in week 7.")]
    _, rebuilt = HybridIndex.load_or_build(tmp_path, changed, encoder, MODEL)
    assert rebuilt
    assert fingerprint(passages, MODEL) != fingerprint(passages, "another/model")
    # only the current index folder is kept
    assert [p.name for p in tmp_path.iterdir()] == [fingerprint(changed, MODEL)]


@pytest.mark.parametrize(
    "damage",
    [
        "garbage vectors",
        "truncated vectors",
        "wrong shape",
        "wrong count",
        "foreign meta",
        "missing meta",
        "a file instead of a folder",
    ],
)
def test_damaged_or_foreign_index_folder_is_rebuilt(tmp_path, encoder, damage):
    passages = card_passages(load_cards())[:10]
    HybridIndex.load_or_build(tmp_path, passages, encoder, MODEL)
    folder = tmp_path / fingerprint(passages, MODEL)
    vectors, meta = folder / "vectors.npy", folder / "meta.json"
    if damage == "garbage vectors":
        vectors.write_bytes(b"garbage")
    elif damage == "truncated vectors":
        vectors.write_bytes(vectors.read_bytes()[:200])
    elif damage == "wrong shape":  # e.g. an index made with a 768-dimensional model
        np.save(vectors, np.ones((10, 768), dtype=np.float32))
    elif damage == "wrong count":
        np.save(vectors, np.ones((3, 384), dtype=np.float32))
    elif damage == "foreign meta":
        meta.write_text(json.dumps({"something": "else"}))
    elif damage == "missing meta":
        meta.unlink()
    else:
        shutil.rmtree(folder)
        folder.write_text("not an index")
    index, rebuilt = HybridIndex.load_or_build(tmp_path, passages, encoder, MODEL)
    assert rebuilt
    assert index.search("attention", k=1)
    _, rebuilt = HybridIndex.load_or_build(tmp_path, passages, encoder, MODEL)
    assert not rebuilt  # and the repaired folder is used from then on


def test_an_index_dir_that_cannot_hold_folders_does_not_stop_start_up(tmp_path, encoder):
    root = tmp_path / "index"
    root.write_text("a file where the index folder should be")
    passages = card_passages(load_cards())[:5]
    index, rebuilt = HybridIndex.load_or_build(root, passages, encoder, MODEL)
    assert rebuilt and index.search("attention", k=1)
    assert root.read_text() == "a file where the index folder should be"


def test_a_failed_save_leaves_no_staging_folder(tmp_path, encoder, monkeypatch):
    passages = card_passages(load_cards())[:5]

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "save", disk_full)
    index, rebuilt = HybridIndex.load_or_build(tmp_path, passages, encoder, MODEL)
    assert rebuilt and index.search("attention", k=1)  # the index still works, in memory
    assert list(tmp_path.iterdir()) == []


def test_other_folders_in_the_index_dir_are_left_alone(tmp_path, encoder):
    mine = tmp_path / "my-notes"
    mine.mkdir()
    passages = card_passages(load_cards())[:5]
    HybridIndex.load_or_build(tmp_path, passages, encoder, MODEL)
    assert mine.is_dir()


def test_sources_are_added_and_removed_without_embedding_the_rest(shared_index_dir, encoder):
    # every card: the session's shared index folder embeds them once for all tests
    passages = card_passages(load_cards())
    index, _ = HybridIndex.load_or_build(shared_index_dir, passages, encoder, MODEL)
    before = encoder.texts_encoded
    note = Passage("notes.md#1", "document", "The class competition closes on Friday at noon.")
    vectors = index.encode([note.text])
    index.add([note], vectors)
    assert encoder.texts_encoded == before + 1
    hit = index.search("when does the class competition close?", k=1)[0]
    assert hit.source_id == "notes.md#1"
    index.remove(["notes.md#1"])
    assert "notes.md#1" not in index.source_ids()
    assert index.search("when does the class competition close?", k=1)[0].kind == "card"


def test_methods_rank_sources_and_scores_are_bounded(shared_index_dir, encoder):
    passages = card_passages(load_cards())
    index, _ = HybridIndex.load_or_build(shared_index_dir, passages, encoder, MODEL)
    for method in ("bm25", "dense", "hybrid"):
        hits = index.search("how many steps per epoch with batch size 10?", k=3, method=method)
        assert hits[0].source_id == "epochs-batches-steps", method
        assert len({h.source_id for h in hits}) == 3
    for hit in index.search("zzzz qqqq", k=5):
        assert 0.0 <= hit.score <= 1.0


# --- the confidence's lead input ----------------------------------------------------------------


def test_lead_is_the_top_cards_margin_over_the_next_card_capped():
    import numpy as np

    from knowledge.index import GAP_CAP, lead

    assert list(lead(np.array([9.0, 8.7, 5.0]))) == pytest.approx([0.3, 0.0, 0.0])
    assert list(lead(np.array([5.0, 9.0, 2.0]))) == [0.0, GAP_CAP, 0.0]  # capped; others 0
    assert list(lead(np.array([7.0, 7.0]))) == [0.0, 0.0]  # a tie: no lead either way
    assert list(lead(np.array([4.0]))) == [GAP_CAP]  # nothing to be ahead of
    assert list(lead(np.array([], dtype=np.float32))) == []


def test_documents_are_not_judged_by_a_lead_they_were_not_calibrated_for():
    """Chunks of one handout often nearly tie with each other and with the card they were
    written from: a document keeps the full term; a card behind a document has no lead."""
    import numpy as np

    from knowledge.index import GAP_CAP, lead

    cards = np.array([False, False, True, True])  # document, document, card, card
    assert list(lead(np.array([9.0, 8.95, 8.9, 6.0]), cards)) == [GAP_CAP, GAP_CAP, 0.0, 0.0]
    ahead = lead(np.array([7.0, 6.8, 8.9, 8.5]), cards)  # the card leads a document by 1.9
    assert list(ahead) == pytest.approx([GAP_CAP, GAP_CAP, 0.4, 0.0])
