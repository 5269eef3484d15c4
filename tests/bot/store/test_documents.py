"""Ingested documents (course content, global): found by hash or path, replaced whole or not
at all, their chunks in a stable order with their vectors, and passage vectors per model."""

import sqlite3

import numpy as np
import pytest
from sqlite_utils import Database

from bot.store import Store
from bot.store import documents as rows
from bot.store.migrations import migrations
from knowledge.documents import DocumentChunk


@pytest.fixture
def db(tmp_path):
    database = Database(tmp_path / "t.db")
    migrations.apply(database)
    yield database
    database.close()


def store(db: Database, path: str, sha: str, *texts: str, model: str = "minilm") -> int:
    chunks = [DocumentChunk(n, 10 * n, 10 * n + 9, text) for n, text in enumerate(texts, 1)]
    vectors = np.arange(len(texts) * 3, dtype=np.float32).reshape(len(texts), 3)
    doc_id, _ = rows.replace(db, path=path, sha256=sha, chunks=chunks, vectors=vectors, model=model)
    return doc_id


def test_nothing_stored_yet(db):
    assert rows.by_hash(db, "abc") is None and rows.by_path(db, "/notes.md") is None
    assert rows.all_documents(db) == [] and rows.all_chunks(db) == []
    assert rows.fingerprints(db) == {} and rows.versions(db) == {}
    assert rows.version(db) == 0 and rows.version(db, "instructor") == 0


def test_a_document_is_found_by_its_hash_and_by_its_path(db):
    doc = store(db, "/course/week1/tokens.md", "h1", "alpha", "beta")
    by_hash = rows.by_hash(db, "h1")
    assert by_hash == rows.by_path(db, "/course/week1/tokens.md")
    assert (by_hash["id"], by_hash["name"], by_hash["chunks"]) == (doc, "tokens.md", 2)
    assert (by_hash["model"], by_hash["sha256"]) == ("minilm", "h1") and by_hash["ingested_at"]
    assert rows.by_path(db, "/course/week2/tokens.md") is None
    assert rows.by_hash(db, "h2") is None


def test_chunks_keep_their_lines_and_vectors_in_document_then_position_order(db):
    first = store(db, "/a/one.md", "h1", "one-1", "one-2", "one-3")
    second = store(db, "/a/two.md", "h2", "two-1")
    found = rows.all_chunks(db)
    assert [(c["document_id"], c["position"], c["text"]) for c in found] == [
        (first, 1, "one-1"),
        (first, 2, "one-2"),
        (first, 3, "one-3"),
        (second, 1, "two-1"),
    ]
    assert (found[1]["line_start"], found[1]["line_end"]) == (20, 29)
    assert (found[3]["name"], found[3]["sha256"], found[3]["model"]) == ("two.md", "h2", "minilm")
    assert np.frombuffer(found[2]["vector"], dtype=np.float32).tolist() == [6.0, 7.0, 8.0]
    assert [c["text"] for c in rows.chunks(db, [second])] == ["two-1"]
    both = [c["text"] for c in rows.chunks(db, [second, first])]
    assert both == ["one-1", "one-2", "one-3", "two-1"]  # document order, not the ids' order
    assert rows.chunks(db, []) == []
    assert rows.chunks(db, [404]) == []


def test_a_replacement_keeps_the_label_and_bumps_the_version(db):
    old = store(db, "/a/notes.md", "h1", "old text")
    store(db, "/b/notes.md", "h2", "other")
    assert rows.version(db) == 2
    new, replaced = rows.replace(
        db,
        path="/a/notes.md",
        sha256="h3",
        chunks=[DocumentChunk(1, 1, 4, "new text")],
        vectors=np.ones((1, 3), dtype=np.float32),
        model="minilm",
    )
    assert replaced == old and new != old
    assert rows.by_hash(db, "h1") is None
    assert rows.by_path(db, "/a/notes.md")["name"] == "notes.md"
    assert [d["name"] for d in rows.all_documents(db)] == ["b/notes.md", "notes.md"]
    assert rows.fingerprints(db) == {2: "h2", new: "h3"}
    assert [c["text"] for c in rows.all_chunks(db)] == ["other", "new text"]
    assert rows.version(db) == 3 and rows.versions(db) == {"documents": 3}


def test_one_vector_per_chunk_or_nothing_is_stored(db):
    with pytest.raises(ValueError, match="one vector per chunk"):
        rows.replace(
            db,
            path="/a/notes.md",
            sha256="h1",
            chunks=[DocumentChunk(1, 1, 1, "a"), DocumentChunk(2, 2, 2, "b")],
            vectors=np.ones((1, 3), dtype=np.float32),
            model="minilm",
        )
    assert rows.all_documents(db) == [] and rows.version(db) == 0


def test_a_replacement_that_fails_half_way_leaves_the_old_version(tmp_path):
    twice = [DocumentChunk(1, 1, 1, "a"), DocumentChunk(1, 2, 2, "b")]  # one position twice
    with Store(tmp_path / "t.db") as db_store:
        db_store.write(store, "/a/notes.md", "h1", "kept")
        with pytest.raises(sqlite3.IntegrityError):
            db_store.write(
                lambda db: rows.replace(
                    db,
                    path="/a/notes.md",
                    sha256="h2",
                    chunks=twice,
                    vectors=np.ones((2, 3), dtype=np.float32),
                    model="minilm",
                )
            )
        assert db_store.run(rows.by_path, "/a/notes.md")["sha256"] == "h1"
        assert [c["text"] for c in db_store.run(rows.all_chunks)] == ["kept"]
        assert db_store.run(rows.version) == 1


def test_vectors_for_chunks_stored_without_them(db):
    doc = store(db, "/a/old.md", "h1", "first", "second", model="")
    db.execute("UPDATE document_chunks SET vector = NULL")
    db.execute("UPDATE documents SET model = NULL")
    assert [c["vector"] for c in rows.all_chunks(db)] == [None, None]
    first_id = rows.all_chunks(db)[0]["id"]
    vector = np.array([0.5, -1.0], dtype=np.float32).tobytes()
    rows.set_vectors(db, "minilm", {first_id: vector})
    found = rows.all_chunks(db)
    assert found[0]["vector"] == vector and found[1]["vector"] is None
    assert rows.by_hash(db, "h1")["model"] == "minilm"
    assert rows.by_hash(db, "h1")["id"] == doc


def test_passage_vectors_are_per_model_and_read_in_batches(db):
    many = {f"key-{n:04d}": np.float32(n).tobytes() for n in range(1200)}  # over 500 a query
    rows.store_passage_vectors(db, "minilm", many)
    rows.store_passage_vectors(db, "mpnet", {"key-0001": b"other model"})
    found = rows.passage_vectors(db, "minilm", [*many, "never-stored"])
    assert found == many
    assert rows.passage_vectors(db, "mpnet", ["key-0001", "key-0002"]) == {
        "key-0001": b"other model"
    }
    assert rows.passage_vectors(db, "minilm", []) == {}
    assert rows.passage_vectors(db, "unknown", ["key-0001"]) == {}


def test_storing_a_passage_vector_again_replaces_it(db):
    rows.store_passage_vectors(db, "minilm", {"k": b"old"})
    rows.store_passage_vectors(db, "minilm", {"k": b"new"})
    assert rows.passage_vectors(db, "minilm", ["k"]) == {"k": b"new"}
    assert db.execute("SELECT count(*) FROM passage_vectors").fetchone()[0] == 1


def test_each_kind_of_content_has_its_own_version(db):
    rows.bump_version(db, "documents")
    rows.bump_version(db, "instructor")
    rows.bump_version(db, "instructor")
    assert rows.versions(db) == {"documents": 1, "instructor": 2}
    assert rows.version(db, "instructor") == 2 and rows.version(db, "questions") == 0
