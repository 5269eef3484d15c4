"""A class day's faults, injected on purpose: the last-second rush, a held lock, a full disk,
late answers, two processes starting together. Real SQLite files, an injected clock."""

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import psutil
import pytest

from bot.app.quizzes import QuestionClosed, QuestionOpened, QuizEnded
from bot.app.tutor import Tutor
from tests.helpers import right_answer, wait_for, who

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def class_tutor(settings, encoder, clock):
    tutor = Tutor(settings, encoder=encoder, clock=clock)
    tutor.events = []
    tutor.quizzes.subscribe(tutor.events.append)
    yield tutor
    tutor.close()


def open_free_question(tutor):
    for seed in range(100):
        opened = tutor.quizzes.start(who("prof"), team=None, count=2, seconds=30, seed=seed)
        if opened.question.kind == "free":
            return opened
        tutor.quizzes.stop(who("prof"))
    raise AssertionError("no free-text question")


def test_a_hundred_answers_in_the_last_second_are_all_accepted_and_scored_once(
    class_tutor, clock, monkeypatch
):
    tutor = class_tutor
    opened = open_free_question(tutor)
    clock.now += 29.5  # half a second before the deadline
    slow = tutor.bank.similarity

    def grading_that_outlasts_the_deadline(answer, reference):
        clock.now = max(clock.now, 1_000 + 31.0)  # the deadline passes while we grade
        tutor.quizzes.tick()  # the timer fires in the middle of grading
        return slow(answer, reference)

    monkeypatch.setattr(tutor.bank, "similarity", grading_that_outlasts_the_deadline)
    barrier = threading.Barrier(100)
    results = []

    def student(n: int) -> None:
        # Each answer's arrival is stamped at the event, as every frontend does: a thread
        # the scheduler starts late must not be judged by when it ran (a loaded CI machine
        # let the first grading move the clock past the deadline before others began).
        arrival = tutor.quizzes.arrive(who(f"s{n}"))
        barrier.wait()
        results.append(
            tutor.quizzes.answer(who(f"s{n}"), opened.question.reference, arrival=arrival)
        )

    threads = [threading.Thread(target=student, args=(n,)) for n in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.accepted for r in results) == 100, {r.message for r in results}
    tutor.quizzes.tick()
    (closed,) = [e for e in tutor.events if isinstance(e, QuestionClosed)]
    assert len(closed.answers) == 100 and len({a.user for a in closed.answers}) == 100
    stored = tutor.store.run(lambda db: db.execute("SELECT count(*) FROM quiz_answers").fetchone())
    assert stored[0] == 100


def test_an_answer_for_a_closed_question_is_late_never_graded_against_the_next(
    settings, encoder, clock
):
    tutor = Tutor(settings.model_copy(update={"quiz_gap_seconds": 3}), encoder=encoder, clock=clock)
    try:
        opened = tutor.quizzes.start(who("prof"), team=4, count=2, seconds=30, seed=1)
        clock.now += 31
        tutor.quizzes.tick()  # question 1 closes; question 2 opens after the gap
        during_gap = tutor.quizzes.answer(who("ana"), right_answer(opened, tutor))
        assert not during_gap.accepted and "wait for the next one" in during_gap.message
        clock.now += 3
        tutor.quizzes.tick()
        assert tutor.quizzes.current("console", "class").number == 2
        stale = tutor.quizzes.answer(who("ana"), "A", question=(opened.session_id, 1))
        assert not stale.accepted and "Question 1 has closed" in stale.message
        fresh = tutor.quizzes.answer(who("ana"), "A", question=(opened.session_id, 2))
        assert fresh.accepted
    finally:
        tutor.close()


def test_a_writer_holding_the_lock_across_the_deadline_loses_nothing(class_tutor, clock):
    tutor = class_tutor
    opened = tutor.quizzes.start(who("prof"), team=4, count=2, seconds=30, seed=1)
    other = sqlite3.connect(tutor.settings.database_path, timeout=0.1, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    answer = right_answer(opened, tutor)
    result: list = []
    student = threading.Thread(
        target=lambda: result.append(tutor.quizzes.answer(who("ana"), answer))
    )
    student.start()
    clock.now += 31  # the deadline passes while the lock is held
    tutor.quizzes.tick()  # the timer's write waits too, and nothing moves without it
    threading.Timer(1.0, other.rollback).start()
    student.join(timeout=30)
    tutor.quizzes.tick()
    assert result and result[0].accepted, result
    (closed,) = [e for e in tutor.events if isinstance(e, QuestionClosed)]
    assert [a.user for a in closed.answers] == ["ana"]
    assert isinstance(tutor.events[-1], QuestionOpened) and tutor.events[-1].number == 2
    other.close()


def test_a_full_disk_refuses_the_answer_so_it_can_be_sent_again(class_tutor):
    tutor = class_tutor
    opened = tutor.quizzes.start(who("prof"), team=4, count=1, seconds=30, seed=1)
    elsewhere = tutor.store.write(  # another class's quiz, whose answers fill the disk
        lambda db: db.execute(
            "INSERT INTO quiz_sessions (server, channel, status, question_ids, started_at)"
            " VALUES ('elsewhere', 'x', 'finished', '[]', 't') RETURNING id"
        ).fetchone()[0]
    )
    pages = tutor.store.run(lambda db: db.execute("PRAGMA page_count").fetchone()[0])
    tutor.store.run(lambda db: db.execute(f"PRAGMA max_page_count = {pages + 4}"))
    filler = iter(range(100_000))
    with pytest.raises(sqlite3.OperationalError, match="full"):
        for _ in range(100_000):  # other writes fill the disk, answers' pages included
            tutor.store.write(
                lambda db: db.execute(
                    "INSERT INTO quiz_answers (session_id, question_index, user, credit, points,"
                    " server, answer) VALUES (?, 99, ?, 0, 0, 'elsewhere', ?)",
                    [elsewhere, f"filler{next(filler)}", "x" * 200],
                )
            )
    answer = right_answer(opened, tutor)
    refused = tutor.quizzes.answer(who("ana"), answer)
    assert not refused.accepted and "send it again" in refused.message
    tutor.store.run(lambda db: db.execute(f"PRAGMA max_page_count = {pages + 1000}"))  # freed
    again = tutor.quizzes.answer(who("ana"), answer)
    assert again.accepted, again.message
    tutor.quizzes.stop(who("prof"))
    ended = [e for e in tutor.events if isinstance(e, QuizEnded)][-1]
    assert [u.name for u in ended.users] == ["ana"] and ended.users[0].answered == 1


OPEN_STORE = """
import sys
from bot.store import Store
Store(sys.argv[1]).close()
"""


def test_two_processes_starting_on_a_fresh_data_dir(tmp_path):
    """20 trials: both processes open (and migrate) the same new database at once."""
    failures = []
    for trial in range(20):
        path = tmp_path / f"trial{trial}" / "tutor.db"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_STORE, str(path)],
                cwd=ROOT,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for p in procs:
            _, err = p.communicate(timeout=60)
            if p.returncode != 0:
                failures.append(err.strip().splitlines()[-1])
    assert failures == []


# --- real processes, killed on purpose ---------------------------------------------------------


def tutor_process(args, settings, **popen):
    """`tutor ARGS` in its own process, on the test's data dir, with short leases."""
    env = {
        **os.environ,
        "TUTOR_DATA_DIR": str(settings.data_dir),
        "TUTOR_INDEX_DIR": str(settings.index_path),
        "TUTOR_LEASE_SECONDS": str(settings.lease_seconds),
        "TUTOR_HEARTBEAT_SECONDS": str(settings.heartbeat_seconds),
        "TUTOR_QUIZ_GAP_SECONDS": "0",
        "HF_HUB_OFFLINE": "1",
    }
    command = [sys.executable, "-c", "from bot.main import main; raise SystemExit(main())", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, text=True, **popen)


def status_of(settings, table, row_id=1):
    try:  # read-only: connecting must not create an empty file the bot would refuse
        with sqlite3.connect(f"file:{settings.database_path}?mode=ro", uri=True) as db:
            found = db.execute(f"SELECT status FROM {table} WHERE id = ?", [row_id]).fetchone()
    except sqlite3.OperationalError:  # not created yet
        return None
    return found[0] if found else None


def test_kill_9_of_the_console_mid_quiz(settings, encoder):
    # A lease far longer than the test: the killed process is seen dead by its missing pid.
    settings = settings.model_copy(update={"lease_seconds": 600})
    settings.data_dir.mkdir(parents=True)
    chat = tutor_process(["chat", "--user", "prof"], settings, stdin=subprocess.PIPE)
    try:
        chat.stdin.write("/quiz team3 --seconds 120 --questions 3\n")
        chat.stdin.flush()
        assert wait_for(lambda: status_of(settings, "quiz_sessions") == "running", 40)
        beside = Tutor(settings, encoder=encoder)  # e.g. the bot starting while chat runs
        assert beside.recover_interrupted().quizzes == []  # chat is alive: hands off
        beside.close()
        chat.kill()  # kill -9
        chat.wait(10)
        after = Tutor(settings, encoder=encoder)
        (lost,) = after.recover_interrupted().quizzes
        assert lost.id == 1 and status_of(settings, "quiz_sessions") == "interrupted"
        after.close()
    finally:
        chat.kill()


def test_a_chat_beside_a_running_finetune_and_kill_9_of_the_runner(
    settings, encoder, tiny_classifier_dir, sentiment_data
):
    settings = settings.model_copy(update={"lease_seconds": 600})  # see the kill test above
    settings.data_dir.mkdir(parents=True)
    args = ["finetune", "--data", str(sentiment_data), "--model", str(tiny_classifier_dir)]
    runner = tutor_process(
        [*args, "--epochs", "20", "--batch-size", "1", "--user", "ana"],
        settings,
        stdout=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: status_of(settings, "finetune_jobs") == "running", 90)
        with sqlite3.connect(f"file:{settings.database_path}?mode=ro", uri=True) as db:
            assert wait_for(
                lambda: db.execute("SELECT pid FROM finetune_jobs WHERE id = 1").fetchone()[0]
            )
            trainer = db.execute("SELECT pid FROM finetune_jobs WHERE id = 1").fetchone()[0]
        chat = Tutor(settings, encoder=encoder)  # `tutor chat` starting beside it
        try:
            assert chat.recover_interrupted().jobs == []
            assert status_of(settings, "finetune_jobs") == "running" and _alive(trainer)
            runner.kill()  # kill -9 of the runner; the trainer lives on in its own session
            runner.wait(10)
            # At once, before its lease runs out, a one-shot `tutor jobs` sees the runner gone.
            listing = tutor_process(["jobs"], settings, stdout=subprocess.PIPE)
            out, _ = listing.communicate(timeout=60)
            assert listing.returncode == 0 and "failed" in out and "running" not in out, out
            job = chat.finetunes.job(1)
            assert job.status == "failed" and "process that ran it stopped" in job.reason
            assert wait_for(lambda: not _alive(trainer), 10)  # the orphan was stopped
            nxt = chat.finetunes.start(
                who("bo"), data=str(sentiment_data), model=str(tiny_classifier_dir), epochs=1
            )
            assert chat.finetunes.wait(nxt, 120).status == "succeeded"  # the queue moved on
        finally:
            chat.close()
    finally:
        runner.kill()


def test_cancel_from_another_process(settings, encoder, tiny_classifier_dir, sentiment_data):
    settings.data_dir.mkdir(parents=True)
    args = ["finetune", "--data", str(sentiment_data), "--model", str(tiny_classifier_dir)]
    runner = tutor_process(
        [*args, "--epochs", "20", "--batch-size", "1", "--user", "ana"],
        settings,
        stdout=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: status_of(settings, "finetune_jobs") == "running", 90)
        other = Tutor(settings, encoder=encoder)
        try:
            message = other.finetunes.cancel(who("prof", instructor=True), 1)
            assert "being stopped" in message
        finally:
            other.close()
        assert runner.wait(60) == 1
        assert status_of(settings, "finetune_jobs") == "cancelled"
    finally:
        runner.kill()


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
