"""The schema, as sqlite-utils migrations applied in order at start-up.

A migration that has run is never edited: a change to the schema is a new function at the
end. Course content (documents, imported questions) is global; class activity carries the
server it belongs to (a Discord guild id, or "console" for the local console).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

# The server of the local console and of one-shot commands, unless `--server` says otherwise.
CONSOLE_SERVER = "console"
# The "server" of a Discord direct message: nobody's class. What needs a class (the
# instructor's queue, reviews) finds the person's own classes instead.
DIRECT_MESSAGES = "dm"

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


@migrations()
def m007_servers_and_people(db: Database) -> None:
    """Scope class activity by server, and keep one display name per person."""
    for table in ("questions", "quiz_sessions", "quiz_answers", "jigsaw_activities"):
        db.table(table).add_column("server", str, not_null_default=CONSOLE_SERVER)
    # Jobs share one queue per host (one GPU) but remember whose class they belong to.
    db.table("finetune_jobs").add_column("server", str, not_null_default=CONSOLE_SERVER)
    for table, key in (("members", "user"), ("team_channels", "team")):
        db.table(table).add_column("server", str, not_null_default=CONSOLE_SERVER)
        db.table(table).transform(pk=("server", key))
    db.table("questions").create_index(["server", "answered", "asked_at"])
    db.table("quiz_sessions").create_index(["server", "channel", "status"])
    db.table("quiz_answers").create_index(["server", "user"])
    db.table("jigsaw_activities").create_index(["server", "channel", "status"])
    db.table("people").create(
        {"id": str, "name": str, "seen_at": str}, pk="id", not_null={"name", "seen_at"}
    )


@migrations()
def m008_leases(db: Database) -> None:
    """Each long-running process holds a lease; live work records which process owns it."""
    db.table("leases").create(
        {"id": str, "pid": int, "host": str, "kind": str, "started_at": str, "heartbeat": float},
        pk="id",
        not_null={"pid", "kind", "heartbeat"},
    )
    db.table("quiz_sessions").add_column("owner", str)
    db.table("jigsaw_activities").add_column("owner", str)
    db.table("finetune_jobs").add_column("runner", str)
    db.table("finetune_jobs").add_column("cancel_requested", str)


@migrations()
def m009_reviews(db: Database) -> None:
    """Spaced review: one FSRS card per student and question they missed (or asked for), every
    graded answer that moved a card, and who asked for reminders (and when they last got one)."""
    db.table("review_cards").create(
        {
            "server": str,
            "user": str,
            "question_id": str,
            "card": str,  # JSON of fsrs.Card.to_dict()
            "due_at": float,  # epoch seconds, copied out of the card for queries
            "reviews": int,
            "misses": int,
            "last_rating": int,  # fsrs.Rating: 1 again, 2 hard, 3 good, 4 easy
            "origin": str,  # quiz (made by a miss) or asked
            "created_at": str,
            "updated_at": str,
        },
        pk=("server", "user", "question_id"),
        not_null={"card", "due_at", "reviews", "misses", "origin", "created_at"},
    )
    db.table("review_cards").create_index(["server", "user", "due_at"])
    db.table("review_log").create(
        {
            "id": int,
            "server": str,
            "user": str,
            "question_id": str,
            "origin": str,  # quiz or review
            "credit": float,
            "rating": int,
            "seconds": float,  # answer time, when known
            "reviewed_at": float,
            "due_at": float,  # when the card is due next
        },
        pk="id",
        not_null={"server", "user", "question_id", "origin", "credit", "rating", "reviewed_at"},
    )
    db.table("review_log").create_index(["server", "user", "reviewed_at"])
    db.table("review_reminders").create(
        {
            "server": str,
            "user": str,
            "enabled": int,
            "last_reminded_on": str,  # the class's local date (ISO) of the last reminder
            "updated_at": str,
        },
        pk=("server", "user"),
        not_null={"enabled", "updated_at"},
    )


@migrations()
def m010_document_vectors(db: Database) -> None:
    """Each chunk keeps its vector (float32 bytes) beside its text, written in the transaction
    that stores the document, so the index is rebuilt from the database without embedding
    again; card passages' vectors are kept the same way. Documents are identified by their
    full path, not their file name: two notes.md in different folders are two documents."""
    db.table("document_chunks").add_column("vector", bytes)
    db.table("documents").add_column("model", str)  # the embedding model of its vectors
    db.execute("DROP INDEX IF EXISTS idx_documents_sha256")
    db.table("documents").create_index(["sha256"])
    db.table("documents").create_index(["path"], unique=True)
    db.table("passage_vectors").create(
        {"model": str, "key": str, "vector": bytes},  # key: sha256 of the passage text
        pk=("model", "key"),
        not_null={"vector"},
    )
    # A counter per kind of course content, bumped in every transaction that changes it: a
    # running process compares it before answering (row ids alone repeat after a delete).
    db.table("content_versions").create({"kind": str, "version": int}, pk="kind")


@migrations()
def m011_instructor_loop(db: Database) -> None:
    """The instructor's queue: a student can flag an answer as not what they asked; the
    instructor resolves queued questions by pointing them at a card or writing an answer.
    Resolutions are course content (global): each stores its questions, with their vectors,
    as retrieval examples, and a written answer with its vector."""
    questions = db.table("questions")
    questions.add_column("flagged_at", str)  # "not what I asked", when
    questions.add_column("resolved_at", str)
    questions.add_column("resolution", int)  # instructor_answers.id
    questions.create_index(["server", "resolved_at", "answered"])
    db.table("instructor_answers").create(
        {
            "id": int,
            "card": str,  # a card id, or null for a written answer
            "answer": str,  # the instructor's text, or null when pointing at a card
            "vector": bytes,  # the answer's vector (written answers)
            "model": str,
            "author": str,  # a person id
            "created_at": str,
        },
        pk="id",
        not_null={"model", "author", "created_at"},
    )
    db.table("instructor_examples").create(
        {"id": int, "answer_id": int, "question": str, "vector": bytes},
        pk="id",
        foreign_keys=[("answer_id", "instructor_answers", "id")],
        not_null={"answer_id", "question", "vector"},
    )
    db.table("instructor_examples").create_index(["answer_id"])


@migrations()
def m012_job_provenance(db: Database) -> None:
    """Each fine-tune result records the code and packages that produced it."""
    db.table("finetune_jobs").add_column("git_revision", str)
    db.table("finetune_jobs").add_column("versions", str)  # JSON {package: version}


@migrations()
def m013_accommodations(db: Database) -> None:
    """A student's time accommodation in a class: their timed quiz questions last
    `multiplier` times as long. Personal data: forgotten with the person, cleared with the
    term."""
    db.table("accommodations").create(
        {"server": str, "user": str, "multiplier": float, "set_by": str, "set_at": str},
        pk=("server", "user"),
        not_null={"multiplier", "set_at"},
    )


@migrations()
def m014_off_topic(db: Database) -> None:
    """A question about something outside the course is declined and counted, but it is not
    the instructor's to answer: kept out of the queue."""
    db.table("questions").add_column("off_topic", int)  # 1: outside the course; null: not


@migrations()
def m015_question_posts(db: Database) -> None:
    """Where a frontend posted a quiz's open question (its own reference, opaque here): after
    a restart, the frontend can find the stale question and disable its buttons."""
    db.table("quiz_sessions").add_column("question_post", str)


@migrations()
def m016_job_executors(db: Database) -> None:
    """Where a fine-tune runs: the local runner (a process id) or a Ray cluster (its job's
    submission id), so recovery after a crash stops the right thing."""
    db.table("finetune_jobs").add_column("executor", str)  # null: local (every older job)
    db.table("finetune_jobs").add_column("remote_id", str)


@migrations()
def m017_class_numbers(db: Database) -> None:
    """Each class numbers its own quizzes, activities and fine-tune jobs from 1 (a second
    class's first quiz was "Quiz #3"): a `number` per server, older rows numbered in order."""
    for table in ("quiz_sessions", "jigsaw_activities", "finetune_jobs"):
        db.table(table).add_column("number", int)
        db.execute(
            f"UPDATE {table} SET number = (SELECT count(*) FROM {table} AS earlier "
            f"WHERE earlier.server = {table}.server AND earlier.id <= {table}.id)"
        )
        db.table(table).create_index(["server", "number"], unique=True)
