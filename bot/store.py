"""SQLite storage: one connection, owned by one writer thread, WAL, schema as migrations.

sqlite-utils `Database` objects are bound to the thread that created them, so every read and
write goes through `Store.run`, which hands the work to the single store thread. WAL lets other
processes (a second `tutor` command, `sqlite3` by hand) read while the bot writes, and the busy
timeout makes a concurrent writer wait instead of failing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from knowledge.documents import DocumentChunk

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000

migrations = Migrations("tutorbot")


@migrations()
def m001_questions(db: Database) -> None:
    db.table("questions").create(
        {
            "id": int,
            "asked_at": str,
            "channel": str,
            "user": str,
            "question": str,
            "answered": int,
            "concept": str,
            "confidence": float,
        },
        pk="id",
        not_null={"asked_at", "question", "answered"},
    )
    db.table("questions").create_index(["answered", "asked_at"])


@migrations()
def m002_documents(db: Database) -> None:
    db.table("documents").create(
        {"id": int, "path": str, "name": str, "sha256": str, "ingested_at": str, "chunks": int},
        pk="id",
        not_null={"path", "name", "sha256", "ingested_at"},
    )
    db.table("documents").create_index(["sha256"], unique=True)
    db.table("document_chunks").create(
        {
            "id": int,
            "document_id": int,
            "position": int,
            "line_start": int,
            "line_end": int,
            "text": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        not_null={"document_id", "position", "text"},
    )
    db.table("document_chunks").create_index(["document_id", "position"], unique=True)


@migrations()
def m003_quizzes(db: Database) -> None:
    db.table("members").create({"user": str, "team": int, "joined_at": str}, pk="user")
    db.table("quiz_sessions").create(
        {
            "id": int,
            "channel": str,
            "team": int,
            "status": str,  # running, finished, stopped, interrupted
            "question_ids": str,  # JSON list, in the order asked
            "seconds_per_question": float,
            "rules": str,  # JSON ScoringRules
            "started_by": str,
            "started_at": str,
            "ended_at": str,
            "current_index": int,
        },
        pk="id",
        not_null={"channel", "status", "question_ids", "started_at"},
    )
    db.table("quiz_sessions").create_index(["channel", "status"])
    db.table("quiz_answers").create(
        {
            "id": int,
            "session_id": int,
            "question_index": int,
            "question_id": str,
            "concepts": str,  # JSON list of concept ids the question tests
            "user": str,
            "team": int,
            "answer": str,
            "credit": float,
            "points": int,
            "reason": str,
            "answered_at": float,
        },
        pk="id",
        foreign_keys=[("session_id", "quiz_sessions", "id")],
        not_null={"session_id", "question_index", "user", "credit", "points"},
    )
    # The database, not only the session object, guarantees one scored answer per user and
    # question, whatever races happen above it.
    db.table("quiz_answers").create_index(["session_id", "question_index", "user"], unique=True)
    db.table("custom_questions").create(
        {"id": str, "data": str, "added_by": str, "added_at": str}, pk="id"
    )


@migrations()
def m004_jigsaw(db: Database) -> None:
    db.table("jigsaw_activities").create(
        {
            "id": int,
            "channel": str,  # the class channel where phases are announced
            "team_channels": str,  # JSON {team: channel}
            "state": str,  # JSON of skills.jigsaw.Activity
            "status": str,  # running, paused, finished, stopped, interrupted
            "started_by": str,
            "started_at": str,
            "ended_at": str,
            "quiz_session_id": int,
            "mastery": str,  # JSON {concept: {team: credit or null}}
            "mastery_png": str,
        },
        pk="id",
        not_null={"channel", "state", "status", "started_at"},
    )
    db.table("jigsaw_activities").create_index(["channel", "status"])


@migrations()
def m005_team_channels(db: Database) -> None:
    db.table("team_channels").create({"team": int, "channel": str, "set_at": str}, pk="team")


@migrations()
def m006_finetune_jobs(db: Database) -> None:
    db.table("finetune_jobs").create(
        {
            "id": int,
            "owner": str,
            "team": int,
            "channel": str,
            "status": str,  # queued, running, succeeded, failed, cancelled, interrupted
            "config": str,  # JSON TrainConfig
            "created_at": str,
            "started_at": str,
            "ended_at": str,
            "pid": int,
            "progress": float,  # 0-1
            "dev_accuracy": float,
            "result": str,  # JSON of the finished event
            "reason": str,  # why it failed, was cancelled or interrupted
        },
        pk="id",
        not_null={"owner", "status", "config", "created_at"},
    )
    db.table("finetune_jobs").create_index(["status", "id"])


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    """The bot's database. Thread-safe: every call runs on the store's own thread."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tutor-store")
        self._db: Database = self._executor.submit(self._open, str(path)).result()

    @staticmethod
    def _open(path: str) -> Database:
        db = Database(path)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if path != ":memory:":
            db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        migrations.apply(db)
        return db

    def run(self, work: Callable[..., T], *args: Any) -> T:
        """Run `work(db, *args)` on the store thread and return its result."""
        return self._executor.submit(work, self._db, *args).result()

    def close(self) -> None:
        def _close(db: Database) -> None:
            db.conn.close()

        self._executor.submit(_close, self._db).result()
        self._executor.shutdown(wait=True)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- questions ---------------------------------------------------------------------

    def record_question(
        self,
        *,
        channel: str,
        user: str,
        question: str,
        answered: bool,
        concept: str | None,
        confidence: float,
    ) -> int:
        row = {
            "asked_at": utc_now(),
            "channel": channel,
            "user": user,
            "question": question,
            "answered": int(answered),
            "concept": concept,
            "confidence": round(confidence, 4),
        }
        return self.run(lambda db: db.table("questions").insert(row).last_pk)

    def unanswered_questions(self, limit: int = 100) -> list[dict[str, Any]]:
        def query(db: Database) -> list[dict[str, Any]]:
            return list(
                db.table("questions").rows_where(
                    "answered = 0", order_by="asked_at desc, id desc", limit=limit
                )
            )

        return self.run(query)

    # --- ingested documents ------------------------------------------------------------

    def document_by_hash(self, sha256: str) -> dict[str, Any] | None:
        def query(db: Database) -> dict[str, Any] | None:
            rows = list(db.table("documents").rows_where("sha256 = ?", [sha256], limit=1))
            return rows[0] if rows else None

        return self.run(query)

    def add_document(
        self, *, path: str, name: str, sha256: str, chunks: list[DocumentChunk]
    ) -> int:
        """Store a document and its chunks in one transaction."""

        def write(db: Database) -> int:
            with db.atomic():
                doc_id = (
                    db.table("documents")
                    .insert(
                        {
                            "path": path,
                            "name": name,
                            "sha256": sha256,
                            "ingested_at": utc_now(),
                            "chunks": len(chunks),
                        }
                    )
                    .last_pk
                )
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
            assert doc_id is not None
            return int(doc_id)

        return self.run(write)

    def remove_document(self, name: str) -> int:
        """Delete every stored document with this file name; returns how many went."""

        def write(db: Database) -> int:
            ids = [r["id"] for r in db.table("documents").rows_where("name = ?", [name])]
            with db.atomic():
                for doc_id in ids:
                    db.execute("DELETE FROM document_chunks WHERE document_id = ?", [doc_id])
                    db.execute("DELETE FROM documents WHERE id = ?", [doc_id])
            return len(ids)

        return self.run(write)

    def documents(self) -> list[dict[str, Any]]:
        return self.run(lambda db: list(db.table("documents").rows_where(order_by="id")))

    def document_chunks(self) -> list[dict[str, Any]]:
        """Every chunk with its document's name, in a stable order (document, position)."""
        sql = (
            "SELECT c.id, c.position, c.line_start, c.line_end, c.text, d.name, d.sha256 "
            "FROM document_chunks c JOIN documents d ON d.id = c.document_id "
            "ORDER BY d.id, c.position"
        )
        return self.run(lambda db: [dict(r) for r in db.query(sql)])
