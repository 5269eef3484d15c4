"""The live knowledge base: cards, ingested documents and their index, kept current.

- Start-up: card vectors come from the index folder, else from the database, else they are
  embedded (once) and stored in both; document vectors always come from the database, where
  each chunk's vector was written with it.
- Ingest embeds only the new document's chunks, stores them with their vectors in the
  transaction that replaces the old version (same full path), then swaps them into the live
  index: no rebuild, no re-embedding of anything else.
- The instructor's resolutions are loaded the same way: their questions become examples of
  their card, their written answers sources of their own ("note:<id>").
- What another process stored is picked up on the next question: every change to documents or
  to the instructor's answers bumps a counter (`content_versions`), read before answering (one
  query); only changed documents move.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np

from bot.app.resources import Resources
from bot.app.results import IngestReport, IngestStatus
from bot.store import documents as document_rows
from bot.store import instructor as instructor_rows
from knowledge import card_vectors
from knowledge.answers import KnowledgeBase
from knowledge.documents import DocumentError, load_document
from knowledge.index import (
    HybridIndex,
    Kind,
    Passage,
    card_passages,
    document_passages,
    encode,
    persisted_vectors,
    text_key,
)

log = logging.getLogger(__name__)


class Library:
    def __init__(self, res: Resources) -> None:
        self.res = res
        self._lock = threading.RLock()
        self._knowledge: KnowledgeBase | None = None
        self._versions: dict[str, int] | None = None
        # (document id, content hash) -> its source ids in the index; ids alone repeat
        self._documents: dict[tuple[int, str], list[str]] = {}

    @property
    def model(self) -> str:
        return self.res.embedding_key

    def knowledge(self) -> KnowledgeBase:
        """The knowledge base, loaded on first use and brought up to date with documents that
        any process stored since."""
        with self._lock:
            if self._knowledge is None:
                self._knowledge = self._load()
            else:
                self._sync()
            return self._knowledge

    # --- loading ---------------------------------------------------------------------------

    def _load(self) -> KnowledgeBase:
        settings = self.res.settings
        passages = card_passages(self.res.cards)
        vectors, rebuilt = persisted_vectors(
            settings.index_path, passages, self.model, self._card_vectors
        )
        if rebuilt:
            log.info("retrieval index rebuilt: %d card passages", len(passages))
        else:
            self._keep_card_vectors(passages, vectors)
        self._versions = self.res.store.run(document_rows.versions)  # before reading content
        doc_passages, doc_vectors, by_document = self._document_sources(None)
        notes, note_vectors = self._instructor_sources()
        index = HybridIndex(
            passages + doc_passages + notes,
            _stack(vectors, doc_vectors, note_vectors),
            self.res.encoder,
            fusion=self.res.fusion,
            classifier=self.res.classifier,
        )
        self._documents = by_document
        return KnowledgeBase(self.res.cards, index, settings.answer_threshold)

    def _card_vectors(self, passages: list[Passage]) -> np.ndarray:
        """Vectors for card passages from the database, embedding (and storing) only the ones
        it lacks: a missing, damaged or foreign index folder costs no embedding."""
        keys = [text_key(p.text) for p in passages]
        stored = self.res.store.run(document_rows.passage_vectors, self.model, keys)
        missing = [i for i, k in enumerate(keys) if k not in stored]
        if missing:
            new = {}
            if self.model == card_vectors.MODEL:  # a fresh data directory: the shipped ones
                seed = card_vectors.shipped()
                new = {keys[i]: seed[keys[i]].tobytes() for i in missing if keys[i] in seed}
                missing = [i for i in missing if keys[i] not in new]
            if missing:
                fresh = encode(self.res.encoder, [passages[i].text for i in missing])
                new |= {keys[i]: fresh[j].tobytes() for j, i in enumerate(missing)}
            self.res.store.write(document_rows.store_passage_vectors, self.model, new)
            stored = {**stored, **new}
        return np.stack([np.frombuffer(stored[k], dtype=np.float32) for k in keys])

    def _keep_card_vectors(self, passages: list[Passage], vectors: np.ndarray) -> None:
        """Loaded from the folder: make sure the database holds them too."""
        keys = [text_key(p.text) for p in passages]
        stored = self.res.store.run(document_rows.passage_vectors, self.model, keys)
        new = {k: vectors[i].tobytes() for i, k in enumerate(keys) if k not in stored}
        if new:
            self.res.store.write(document_rows.store_passage_vectors, self.model, new)

    def _document_sources(
        self, document_ids: list[int] | None
    ) -> tuple[list[Passage], np.ndarray | None, dict[tuple[int, str], list[str]]]:
        """Passages and stored vectors of these documents (all when None)."""
        rows = self.res.store.run(document_rows.chunks, document_ids)
        if not rows:
            return [], None, {}
        stale = [r for r in rows if r["vector"] is None or r["model"] != self.model]
        if stale:  # stored before vectors were kept, or by another embedding model: once
            fresh = encode(self.res.encoder, [r["text"] for r in stale])
            update = {r["id"]: fresh[i].tobytes() for i, r in enumerate(stale)}
            self.res.store.write(document_rows.set_vectors, self.model, update)
            for r in stale:
                r["vector"] = update[r["id"]]
        passages = document_passages(rows)
        vectors = np.stack([np.frombuffer(r["vector"], dtype=np.float32) for r in rows])
        by_document: dict[tuple[int, str], list[str]] = {}
        for row, passage in zip(rows, passages, strict=True):
            key = (row["document_id"], row["sha256"])
            by_document.setdefault(key, []).append(passage.source_id)
        return passages, vectors, by_document

    def _sync(self) -> None:
        """Bring the live index up to date with what any process stored since (one read
        when nothing changed)."""
        versions = self.res.store.run(document_rows.versions)
        if versions == self._versions or self._knowledge is None:
            return
        old = self._versions or {}
        if versions.get("documents") != old.get("documents"):
            self._sync_documents()
        if versions.get(instructor_rows.KIND) != old.get(instructor_rows.KIND):
            notes, vectors = self._instructor_sources()
            self._knowledge.index.change(drop=_is_instructors, add=notes, vectors=vectors)
        self._versions = versions

    def _sync_documents(self) -> None:
        assert self._knowledge is not None
        stored = set(self.res.store.run(document_rows.fingerprints).items())
        gone = [d for d in self._documents if d not in stored]
        new = sorted(stored - set(self._documents))
        passages, vectors, by_document = (
            self._document_sources([d for d, _ in new]) if new else ([], None, {})
        )
        removed = [s for d in gone for s in self._documents[d]]
        self._knowledge.index.change(remove=removed, add=passages, vectors=vectors)
        for d in gone:
            del self._documents[d]
        self._documents.update(by_document)
        log.info("documents changed: %d added, %d removed", len(new), len(gone))

    def _instructor_sources(self) -> tuple[list[Passage], np.ndarray | None]:
        """The instructor's resolutions as passages: the questions they resolved become
        examples of their card (or of their written answer, a source of its own)."""
        passages: list[Passage] = []
        vectors: list[bytes | None] = []
        for row in self.res.store.run(instructor_rows.all_answers):
            kind: Kind
            if row["card"]:
                if row["card"] not in self.res.titles:
                    continue  # a card that was removed since
                source, kind, title = row["card"], "card", ""
            else:
                source, kind = f"note:{row['id']}", "note"
                title = f"the instructor's answer ({row['created_at'][:10]})"
                passages.append(Passage(source, kind, row["answer"], "note", title))
                vectors.append(row["vector"] if row["model"] == self.model else None)
            for question, vector in row["examples"]:
                passages.append(Passage(source, kind, question, "example", title))
                vectors.append(vector if row["model"] == self.model else None)
        if not passages:
            return [], None
        stale = [i for i, v in enumerate(vectors) if v is None]  # made with another model
        if stale:
            fresh = encode(self.res.encoder, [passages[i].text for i in stale])
            for j, i in enumerate(stale):
                vectors[i] = fresh[j].tobytes()
        return passages, np.stack([np.frombuffer(v or b"", dtype=np.float32) for v in vectors])

    # --- ingest ----------------------------------------------------------------------------

    def ingest(self, paths: list[Path], keys: list[str] | None = None) -> list[IngestReport]:
        """Add or replace documents. `keys` identify uploads whose temporary path means
        nothing (Discord); otherwise a document is its resolved full path."""
        keys = keys or [str(Path(p).resolve()) for p in paths]
        return [self._ingest_one(Path(p), key) for p, key in zip(paths, keys, strict=True)]

    def _ingest_one(self, path: Path, key: str) -> IngestReport:
        try:
            document = load_document(path)
        except DocumentError as exc:
            return IngestReport(str(path), IngestStatus.ERROR, message=str(exc))
        chunks = len(document.chunks)
        same = self.res.store.run(document_rows.by_hash, document.sha256)
        if same:
            message = "already ingested; nothing to do"
            if same["path"] != key:
                message = f"the same text is already ingested as {same['name']}; nothing to do"
            return IngestReport(str(path), IngestStatus.UNCHANGED, chunks, message)
        vectors = encode(self.res.encoder, [c.text for c in document.chunks])
        _, replaced = self.res.store.write(
            lambda db: document_rows.replace(
                db,
                path=key,
                sha256=document.sha256,
                chunks=list(document.chunks),
                vectors=vectors,
                model=self.model,
            )
        )
        with self._lock:
            if self._knowledge is not None:
                self._sync()  # swaps in this document (and any another process added)
        status = IngestStatus.REPLACED if replaced is not None else IngestStatus.ADDED
        return IngestReport(str(path), status, chunks)


def _stack(*parts: np.ndarray | None) -> np.ndarray:
    return np.vstack([p for p in parts if p is not None and len(p)])


def _is_instructors(passage: Passage) -> bool:
    return passage.kind == "note" or passage.section == "example"
