"""How long the instructor's digest and the dashboard's pages take on a class-sized history:
40 students x 45 quiz answers (1,800 answers, a third of them wrong free text to group by
meaning) and 400 questions, on CPU.

    python bench/digest_latency.py [--runs 10] [--students 40]

The digest is timed warm (MiniLM loaded), with its chart drawn; the dashboard's canned queries
through Datasette's own test client.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.demo_latency import percentiles, timed  # noqa: E402

WRONG_FREE = [
    "the batch size is too small",
    "batch is too small so it is unstable",
    "the labels are wrong",
    "some labels in the data are missing",
    "the model is too small",
    "you forgot the attention mask",
    "the tokenizer does not match the model",
    "it needs more epochs",
]


def seed(tutor, students: int, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    from bot.store import classes, questions

    bank = tutor.bank.questions()

    def write(db) -> None:  # type: ignore[no-untyped-def]
        session = (
            db.table("quiz_sessions")
            .insert(
                {
                    "server": "console",
                    "channel": "class",
                    "status": "finished",
                    "question_ids": "[]",
                    "started_at": "2025-01-01T10:00:00+00:00",
                    "current_index": 0,
                }
            )
            .last_pk
        )
        for s in range(students):
            person = f"student-{s}"
            classes.remember_person(db, person, f"Student {s}")
            classes.join_team(db, "console", person, 1 + s % 5)
            for index, q in enumerate(bank):
                right = rng.random() < 0.6
                if q.kind == "choice":
                    text = "ABCDE"[q.answer if right else rng.randrange(len(q.choices))]
                elif q.kind in ("numeric", "live"):
                    text = str(q.answer if right and q.kind == "numeric" else rng.randint(1, 50))
                else:
                    text = q.reference if right else rng.choice(WRONG_FREE)
                db.table("quiz_answers").insert(
                    {
                        "server": "console",
                        "session_id": session,
                        "question_index": index,
                        "question_id": q.id,
                        "concepts": json.dumps(list(q.concepts)),
                        "user": person,
                        "answer": text,
                        "credit": 1.0 if right else 0.0,
                        "points": 100 if right else 0,
                        "answered_at": 1_000.0,
                    }
                )
            for _ in range(10):
                card = rng.choice(tutor.cards)
                questions.record_question(
                    db,
                    server="console",
                    channel="class",
                    user=person,
                    question=f"what is {card.title}?",
                    answered=rng.random() < 0.8,
                    concept=card.id,
                    confidence=0.5,
                )

    tutor.store.write(write)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--students", type=int, default=40)
    args = parser.parse_args()

    from bot.app.context import Actor
    from bot.app.insights import dashboard_metadata
    from bot.app.tutor import Tutor
    from bot.config import Settings
    from bot.dashboard.server import build
    from bot.store.dashboard import CANNED_QUERIES

    with tempfile.TemporaryDirectory() as folder:
        tutor = Tutor(Settings(data_dir=Path(folder), _env_file=None))
        seed(tutor, args.students, random.Random(0))
        prof = Actor("prof", instructor=True)
        chart = Path(folder) / "digest.png"
        answers = tutor.store.run(lambda db: db.table("quiz_answers").count)
        print(f"{args.students} students, {answers} quiz answers, {os.cpu_count()} CPUs")
        digest = timed(lambda i=0: tutor.insights.digest(prof, "all", chart=chart), args.runs)
        print(f"digest (warm, chart drawn)     {percentiles(digest)}")
        datasette = build(tutor.settings.database_path, dashboard_metadata())

        def page(i: int = 0) -> None:
            for name in CANNED_QUERIES:
                response = asyncio.run(datasette.client.get(f"/tutor/{name}.json?server=console"))
                assert response.status_code == 200, name

        pages = timed(page, args.runs)
        per_page = [t / len(CANNED_QUERIES) for t in pages]
        print(f"dashboard page (mean of {len(CANNED_QUERIES)}) {percentiles(per_page)}")
        tutor.close()


if __name__ == "__main__":
    main()
