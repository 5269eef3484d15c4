"""Ingested documents and their chunks (course content: global, not per server)."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from bot.store.database import utc_now
from knowledge.documents import DocumentChunk


def by_hash(db: Database, sha256: str) -> dict[str, Any] | None:
    rows = list(db.table("documents").rows_where("sha256 = ?", [sha256], limit=1))
    return rows[0] if rows else None


def replace(db: Database, *, path: str, name: str, sha256: str, chunks: list[DocumentChunk]) -> int:
    """Store a document and its chunks, removing older versions of the same file name, in one
    transaction: a failure leaves the old version in place. Returns how many were replaced."""
    with db.atomic():
        old = [r["id"] for r in db.table("documents").rows_where("name = ?", [name])]
        for doc_id in old:
            db.execute("DELETE FROM document_chunks WHERE document_id = ?", [doc_id])
            db.execute("DELETE FROM documents WHERE id = ?", [doc_id])
        row = {
            "path": path,
            "name": name,
            "sha256": sha256,
            "ingested_at": utc_now(),
            "chunks": len(chunks),
        }
        doc_id = db.table("documents").insert(row).last_pk
        db.table("document_chunks").insert_all(
            {
                "document_id": doc_id,
                "position": c.position,
                "line_start": c.line_start,
                "line_end": c.line_end,
                "text": c.text,
            }
            for c in chunks
        )
    return len(old)


def all_documents(db: Database) -> list[dict[str, Any]]:
    return list(db.table("documents").rows_where(order_by="id"))


def all_chunks(db: Database) -> list[dict[str, Any]]:
    """Every chunk with its document's name, in a stable order (document, position)."""
    sql = (
        "SELECT c.id, c.position, c.line_start, c.line_end, c.text, d.name, d.sha256 "
        "FROM document_chunks c JOIN documents d ON d.id = c.document_id "
        "ORDER BY d.id, c.position"
    )
    return [dict(r) for r in db.query(sql)]
