"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from pathlib import Path

from bot.app.context import Actor
from bot.store import CONSOLE_SERVER


class FakeClock:
    """A clock tests move by hand (`clock.now += 31`)."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def who(
    user: str = "local",
    channel: str = "class",
    *,
    server: str = CONSOLE_SERVER,
    instructor: bool = False,
    name: str = "",
) -> Actor:
    """An actor for tests: `who("ana")` is ana in #class of the console's server."""
    return Actor(user, name or user, server, channel, instructor)


def wait_for(condition: Callable[[], object], timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def tiny_bert_config(vocab_size: int):
    """A 2-layer, hidden-64 BERT: fast on CPU, real vocabulary."""
    from transformers import BertConfig

    return BertConfig(
        vocab_size=vocab_size,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        max_position_embeddings=64,
    )


def right_answer(opened, tutor) -> str:
    """The answer that earns full credit for an opened quiz question."""
    q = opened.question
    if q.kind == "choice":
        return "ABCDE"[q.answer]
    if q.kind == "numeric":
        return str(q.answer)
    if q.kind == "live":
        return str(tutor.bank.live_key(q))
    return q.reference


def bomb_pdf(path: Path, chars: int) -> Path:
    """A small PDF whose one page inflates to `chars` characters of text."""
    content = b"BT /F1 12 Tf 10 10 Td (" + b"A" * chars + b") Tj ET"
    stream = zlib.compress(content, 9)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def encrypted_pdf(path: Path, *, aes: bool = False) -> Path:
    """A one-page PDF with a user password (RC4), or marked AES-256 (V5/R6), which needs the
    `cryptography` package to open."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    writer.write(path)
    if aes:  # same length, so the cross-reference offsets stay right
        path.write_bytes(path.read_bytes().replace(b"/V 2\n/R 3", b"/V 5\n/R 6"))
    return path


def crash(tutor) -> None:
    """The process dies: no clean shutdown, and its lease runs out (test settings: 1 s)."""
    tutor.store.close()
    time.sleep(tutor.settings.lease_seconds + 0.2)


def close_quiz_question(tutor, clock, question_id, credits, *, server=CONSOLE_SERVER, seconds=25.0):
    """Announce one quiz question opening and closing with these graded answers ({user:
    credit}), as the quiz manager does, to whoever listens (the review service); the clock
    ends where it started. Returns the question."""
    from bot.app.quizzes import QuestionClosed, QuestionOpened
    from skills.quiz.grading import Grade
    from skills.quiz.session import RecordedAnswer

    q = next(q for q in tutor.bank.questions() if q.id == question_id)
    opened_at = clock.now
    tutor.reviews.on_quiz_event(QuestionOpened(server, "class", 7, 1, 1, q, 30))
    clock.now += seconds
    answers = [
        RecordedAnswer(user, 0, "x", Grade(credit, "", ""), int(100 * credit), clock.now)
        for user, credit in credits.items()
    ]
    tutor.reviews.on_quiz_event(QuestionClosed(server, "class", 7, 1, q, "", answers))
    clock.now = opened_at
    return q


def wrong_answer(opened, tutor) -> str:
    """An answer that is a real attempt (a choice, a number, a sentence) and earns nothing."""
    q = opened.question
    if q.kind == "choice":
        return "ABCDE"[(q.answer + 1) % len(q.choices)]
    if q.kind in ("numeric", "live"):
        key = tutor.bank.live_key(q) if q.kind == "live" else q.answer
        return str(key * 10 + 7)
    return "Bananas are yellow and grow on trees in warm countries."


# A week of class activity, seeded straight into the store: who answered what (by question id),
# and what they asked. Display names are distinctive so a test can look for them anywhere.
SEED_PEOPLE = {
    "u-ana": "Anastasia Quux",
    "u-ben": "Benedikt Zorro",
    "u-cy": "Cyrille Vantablack",
    "u-dee": "Dorothea Plimsoll",
}
SEED_ANSWERS = [
    # t3-mask-values (choice; B is right): A four times (once spelled out), C once.
    ("u-ana", "t3-mask-values", "A", 0.0),
    ("u-ben", "t3-mask-values", "a", 0.0),
    ("u-cy", "t3-mask-values", "Attend to this token", 0.0),
    ("u-dee", "t3-mask-values", "A", 0.0),
    ("u-ana", "t3-why-padding", "B", 1.0),
    # t4-steps-1000-10 (numeric; 100 is right): "10" three times, 1000 once.
    ("u-ana", "t4-steps-1000-10", "10", 0.0),
    ("u-ben", "t4-steps-1000-10", "10 steps", 0.0),
    ("u-cy", "t4-steps-1000-10", "10", 0.0),
    ("u-dee", "t4-steps-1000-10", "1,000", 0.0),
    # t4-nan (free): three say the batch is too small, one blames the labels, one is right.
    ("u-ana", "t4-nan", "the batch size is too small", 0.0),
    ("u-ben", "t4-nan", "batch size too small", 0.0),
    ("u-cy", "t4-nan", "the batch size is too small, make it bigger", 0.5),
    ("u-dee", "t4-nan", "some labels in the dataset are missing", 0.0),
    ("u-ben", "t5-lora-frozen", "B", 1.0),
]
SEED_QUESTIONS = [  # (user, question, answered, concept)
    ("u-ana", "what does the attention mask do with padding?", True, "attention-masks-and-padding"),
    ("u-ben", "why is my attention mask all ones", False, "attention-masks-and-padding"),
    ("u-cy", "how many steps in an epoch", True, "epochs-batches-steps"),
    ("u-dee", "what is the best pizza in town", False, None),
]


def seed_class(tutor, *, server: str = CONSOLE_SERVER, answered_at: float = 1_000.0) -> int:
    """Seed SEED_ANSWERS (one finished quiz) and SEED_QUESTIONS into `server`, with names and
    teams; returns the quiz session's id."""
    import json

    from bot.store import classes, questions

    bank = {q.id: q for q in tutor.bank.questions()}

    def write(db) -> int:
        for number, (person, name) in enumerate(SEED_PEOPLE.items()):
            classes.remember_person(db, person, name)
            classes.join_team(db, server, person, 3 + number % 2)
        session = (
            db.table("quiz_sessions")
            .insert(
                {
                    "server": server,
                    "channel": "class",
                    "team": 3,
                    "status": "finished",
                    "question_ids": json.dumps(sorted({a[1] for a in SEED_ANSWERS})),
                    "started_by": "u-ana",
                    "started_at": "2025-01-01T10:00:00+00:00",
                    "current_index": 0,
                }
            )
            .last_pk
        )
        for index, (person, qid, text, credit) in enumerate(SEED_ANSWERS):
            db.table("quiz_answers").insert(
                {
                    "server": server,
                    "session_id": session,
                    "question_index": index,
                    "question_id": qid,
                    "concepts": json.dumps(list(bank[qid].concepts)),
                    "user": person,
                    "team": classes.team_of(db, server, person),
                    "answer": text,
                    "credit": credit,
                    "points": int(100 * credit),
                    "reason": "",
                    "answered_at": answered_at + index,
                }
            )
        for person, text, answered, concept in SEED_QUESTIONS:
            questions.record_question(
                db,
                server=server,
                channel="class",
                user=person,
                question=text,
                answered=answered,
                concept=concept,
                confidence=0.5 if answered else 0.2,
            )
        return int(session)

    return tutor.store.write(write)
