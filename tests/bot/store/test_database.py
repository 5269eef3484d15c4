import threading

import numpy as np

from bot.store import Store, documents, migrations, questions
from knowledge.documents import DocumentChunk


def test_wal_busy_timeout_and_migrations(tmp_path):
    with Store(tmp_path / "t.db") as store:
        assert store.run(lambda db: db.execute("PRAGMA journal_mode").fetchone()[0]) == "wal"
        assert store.run(lambda db: db.execute("PRAGMA busy_timeout").fetchone()[0]) == 5000
        tables = set(store.run(lambda db: db.table_names()))
        assert {"questions", "documents", "document_chunks", "_sqlite_migrations"} <= tables


def test_reopening_does_not_reapply_migrations(tmp_path):
    Store(tmp_path / "t.db").close()
    with Store(tmp_path / "t.db") as store:
        names = store.run(
            lambda db: [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations")]
        )
        assert len(names) == len(set(names)) >= 4
        assert store.run(migrations.pending) == []


def test_concurrent_writers_lose_nothing(tmp_path):
    with Store(tmp_path / "t.db") as store:

        def ask(n: int) -> None:
            for i in range(20):
                store.run(
                    lambda db, i=i: questions.record_question(
                        db,
                        server="console",
                        channel="c",
                        user=f"u{n}",
                        question=f"q{n}-{i}",
                        answered=False,
                        concept=None,
                        confidence=0.1,
                    )
                )

        threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(store.run(questions.unanswered, "console", 1000)) == 160


def test_documents_round_trip_and_replace(tmp_path):
    vectors = np.eye(2, 4, dtype=np.float32)
    with Store(tmp_path / "t.db") as store:
        chunks = [DocumentChunk(1, 1, 3, "alpha"), DocumentChunk(2, 5, 6, "beta")]
        first, replaced = store.write(
            lambda db: documents.replace(
                db, path="/x/notes.txt", sha256="abc", chunks=chunks, vectors=vectors, model="m"
            )
        )
        assert replaced is None
        assert store.run(documents.by_hash, "abc")["chunks"] == 2
        rows = store.run(documents.all_chunks)
        assert [(r["name"], r["position"], r["text"]) for r in rows] == [
            ("notes.txt", 1, "alpha"),
            ("notes.txt", 2, "beta"),
        ]
        assert np.frombuffer(rows[1]["vector"], dtype=np.float32).tolist() == [0, 1, 0, 0]
        newer = [DocumentChunk(1, 1, 2, "gamma")]
        _, replaced = store.write(
            lambda db: documents.replace(
                db, path="/x/notes.txt", sha256="def", chunks=newer, vectors=vectors[:1], model="m"
            )
        )
        assert replaced == first
        assert store.run(documents.version) == 2
        assert [r["text"] for r in store.run(documents.all_chunks)] == ["gamma"]


def test_same_file_name_in_two_folders_is_two_documents(tmp_path):
    one = np.ones((1, 4), dtype=np.float32)
    with Store(tmp_path / "t.db") as store:
        for folder, text in (("/a", "alpha"), ("/b", "beta"), ("/c/a", "gamma")):
            store.write(
                lambda db, folder=folder, text=text: documents.replace(
                    db,
                    path=f"{folder}/notes.md",
                    sha256=text,
                    chunks=[DocumentChunk(1, 1, 1, text)],
                    vectors=one,
                    model="m",
                )
            )
        rows = store.run(documents.all_chunks)
        assert [(r["name"], r["text"]) for r in rows] == [
            ("notes.md", "alpha"),
            ("b/notes.md", "beta"),
            ("a/notes.md", "gamma"),  # the shortest tail nobody else uses
        ]
        assert store.run(documents.version) == 3


def test_a_damaged_database_is_one_clear_line_that_says_what_to_do(tmp_path):
    import pytest

    from bot.store.database import StoreUnavailable

    path = tmp_path / "tutor.db"
    path.write_bytes(b"this is not a database, it is a shopping list" * 100)
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "tutor-2026-11-20.db").write_bytes(b"")
    with pytest.raises(StoreUnavailable) as caught:
        Store(path, backups=backups)
    message = str(caught.value)
    assert str(path) in message and "`tutor backup restore`" in message
    assert "tutor-2026-11-20.db" in message and "\n" not in message
    for backup in backups.iterdir():
        backup.unlink()
    with pytest.raises(StoreUnavailable) as caught:
        Store(path, backups=backups)
    assert f"mv {path} {path}.damaged" in str(caught.value)  # nothing to restore


def test_an_empty_file_is_not_taken_for_a_new_database(tmp_path):
    import pytest

    from bot.store.database import StoreUnavailable

    path = tmp_path / "tutor.db"
    path.touch()
    with pytest.raises(StoreUnavailable, match="empty file"):
        Store(path)


def test_backup_is_a_consistent_copy_while_writes_go_on(tmp_path):
    with Store(tmp_path / "t.db") as store:
        store.write(lambda db: db.execute("CREATE TABLE n (x)"))
        store.write(
            lambda db: db.conn.executemany("INSERT INTO n VALUES (?)", [(i,) for i in range(500)])
        )
        copy = store.backup(tmp_path / "copies" / "b.db")
        store.write(lambda db: db.execute("INSERT INTO n VALUES (-1)"))
    with Store(copy) as restored:
        assert restored.run(lambda db: db.execute("SELECT count(*) FROM n").fetchone()[0]) == 500
