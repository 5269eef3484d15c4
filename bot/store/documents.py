"""Ingested documents, their chunks and the chunks' vectors, and stored passage vectors
(course content: global, not per server).

A document is identified by its full path (or, for uploads, a key the frontend gives): two
`notes.md` in different folders are two documents. Its `name` is the label citations use: the
file name, or as much of the path as tells it apart from another document's.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import numpy as np
from sqlite_utils import Database

from bot.store.database import utc_now
from knowledge.documents import DocumentChunk


def by_hash(db: Database, sha256: str) -> dict[str, Any] | None:
    rows = list(db.table("documents").rows_where("sha256 = ?", [sha256], limit=1))
    return rows[0] if rows else None


def by_path(db: Database, path: str) -> dict[str, Any] | None:
    rows = list(db.table("documents").rows_where("path = ?", [path], limit=1))
    return rows[0] if rows else None


def _label(db: Database, path: str) -> str:
    """The shortest tail of `path` that no other document's label already uses."""
    taken = {r["name"] for r in db.query("SELECT name FROM documents WHERE path != ?", [path])}
    parts = PurePath(path).parts
    for n in range(1, len(parts) + 1):
        label = "/".join(parts[-n:]).lstrip("/") or path
        if label not in taken:
            return label
    return path


def replace(
    db: Database,
    *,
    path: str,
    sha256: str,
    chunks: list[DocumentChunk],
    vectors: np.ndarray,
    model: str,
) -> tuple[int, int | None]:
    """Store a document with its chunks and their vectors, removing the older version stored
    under the same path, in one transaction: a failure anywhere leaves the old version in
    place. Returns (the new document's id, the replaced one's id or None)."""
    if len(vectors) != len(chunks):
        raise ValueError("one vector per chunk")
    with db.atomic():
        old = by_path(db, path)
        if old:
            db.execute("DELETE FROM document_chunks WHERE document_id = ?", [old["id"]])
            db.execute("DELETE FROM documents WHERE id = ?", [old["id"]])
        row = {
            "path": path,
            "name": old["name"] if old else _label(db, path),
            "sha256": sha256,
            "ingested_at": utc_now(),
            "chunks": len(chunks),
            "model": model,
        }
        pk = db.table("documents").insert(row).last_pk
        assert pk is not None
        doc_id = int(pk)
        db.table("document_chunks").insert_all(
            {
                "document_id": doc_id,
                "position": c.position,
                "line_start": c.line_start,
                "line_end": c.line_end,
                "text": c.text,
                "vector": np.asarray(v, dtype=np.float32).tobytes(),
            }
            for c, v in zip(chunks, vectors, strict=True)
        )
        bump_version(db, "documents")
    return doc_id, (int(old["id"]) if old else None)


def bump_version(db: Database, kind: str) -> None:
    db.execute(
        "INSERT INTO content_versions (kind, version) VALUES (?, 1) "
        "ON CONFLICT (kind) DO UPDATE SET version = version + 1",
        [kind],
    )


def version(db: Database, kind: str = "documents") -> int:
    """Changes in every transaction that changes that kind of content (one primary-key read)."""
    row = db.execute("SELECT version FROM content_versions WHERE kind = ?", [kind]).fetchone()
    return int(row[0]) if row else 0


def versions(db: Database) -> dict[str, int]:
    """Every kind of course content's version, in one read (checked before each answer)."""
    return {r[0]: int(r[1]) for r in db.execute("SELECT kind, version FROM content_versions")}


def fingerprints(db: Database) -> dict[int, str]:
    """Each stored document's id and content hash (ids repeat after a delete; hashes tell)."""
    return {r["id"]: r["sha256"] for r in db.query("SELECT id, sha256 FROM documents")}


def all_documents(db: Database) -> list[dict[str, Any]]:
    return list(db.table("documents").rows_where(order_by="id"))


def chunks(db: Database, document_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Chunks with their document's id, label and model, and their vector (bytes, or None for
    chunks stored before vectors were), in a stable order (document, position)."""
    sql = (
        "SELECT c.id, c.document_id, c.position, c.line_start, c.line_end, c.text, c.vector, "
        "d.name, d.sha256, d.model FROM document_chunks c JOIN documents d ON d.id = c.document_id"
    )
    args: list[Any] = []
    if document_ids is not None:
        sql += f" WHERE d.id IN ({', '.join('?' * len(document_ids))})"
        args = list(document_ids)
    return [dict(r) for r in db.query(sql + " ORDER BY d.id, c.position", args)]


def all_chunks(db: Database) -> list[dict[str, Any]]:
    return chunks(db)


def set_vectors(db: Database, model: str, vectors: dict[int, bytes]) -> None:
    """Vectors for chunks stored without them (documents ingested by an older version)."""
    for chunk_id, vector in vectors.items():
        db.execute("UPDATE document_chunks SET vector = ? WHERE id = ?", [vector, chunk_id])
        db.execute(
            "UPDATE documents SET model = ? "
            "WHERE id = (SELECT document_id FROM document_chunks WHERE id = ?)",
            [model, chunk_id],
        )


def passage_vectors(db: Database, model: str, keys: list[str]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for start in range(0, len(keys), 500):
        batch = keys[start : start + 500]
        sql = (
            "SELECT key, vector FROM passage_vectors WHERE model = ? "
            f"AND key IN ({', '.join('?' * len(batch))})"
        )
        found.update((r["key"], r["vector"]) for r in db.query(sql, [model, *batch]))
    return found


def store_passage_vectors(db: Database, model: str, vectors: dict[str, bytes]) -> None:
    db.table("passage_vectors").upsert_all(
        ({"model": model, "key": k, "vector": v} for k, v in vectors.items()),
        pk=("model", "key"),
    )
