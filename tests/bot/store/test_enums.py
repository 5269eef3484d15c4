"""The statuses the database stores, from bot/store/enums.py: each is stored as its text and
read back as its member, every status the skills' state machines reach is one of them, and a
job's status says whether it is over."""

import pytest
from sqlite_utils import Database

from bot.store import jobs
from bot.store.enums import ActivityStatus, JobStatus, QuizStatus
from bot.store.migrations import migrations
from skills.jigsaw import Activity, ActivityFinished, Timings, plan
from skills.quiz.session import Status


@pytest.fixture
def db(tmp_path):
    database = Database(tmp_path / "t.db")
    migrations.apply(database)
    yield database
    database.close()


def test_only_a_queued_or_running_job_is_not_final():
    assert {s for s in JobStatus if not s.final} == {JobStatus.QUEUED, JobStatus.RUNNING}
    assert {s for s in JobStatus if s.final} == {
        JobStatus.SUCCEEDED,
        JobStatus.FAILED,
        JobStatus.CANCELLED,
        JobStatus.INTERRUPTED,
    }
    assert JobStatus("cancelled").final and not JobStatus("running").final


@pytest.mark.parametrize("status", list(JobStatus))
def test_a_jobs_status_is_stored_as_its_text_and_read_back_as_its_member(db, status):
    job = jobs.insert_job(db, server="s", owner="ana", team=None, channel="c", config={})
    assert db.table("finetune_jobs").get(job)["status"] == "queued"
    jobs.finish_job(db, job, status, None, None)
    (stored,) = db.execute("SELECT status FROM finetune_jobs WHERE id = ?", [job]).fetchone()
    assert type(stored) is str and stored == status.value
    assert JobStatus(stored) is status and stored == status  # a StrEnum equals its text


def test_every_end_a_quiz_session_reaches_is_a_quiz_status():
    ends = {Status.FINISHED, Status.STOPPED}  # the session's own ends, stored as they are
    assert {QuizStatus(s.value) for s in ends} == {QuizStatus.FINISHED, QuizStatus.STOPPED}
    live = {Status.WAITING, Status.OPEN, Status.BETWEEN}  # in memory only: the row is running
    assert not {s.value for s in live} & {q.value for q in QuizStatus}


def test_every_status_a_jigsaw_activity_reaches_is_an_activity_status():
    """The store writes `activity.status` as it is once the activity has started."""
    seen = []
    stopped = Activity(plan(Timings()), {1: ["tokens"]})
    for event in stopped.start(0.0):
        assert not isinstance(event, ActivityFinished)
    seen.append(stopped.status)
    stopped.pause(10.0)
    seen.append(stopped.status)
    stopped.resume(20.0)
    (ended,) = stopped.stop()
    seen += [stopped.status, ended.status]
    finished = Activity(plan(Timings()), {1: ["tokens"]})
    finished.start(0.0)
    events = []
    while finished.status != "finished":
        events += finished.next_phase(60.0)
    seen += [finished.status, *(e.status for e in events if isinstance(e, ActivityFinished))]
    assert [ActivityStatus(s) for s in seen] == [
        ActivityStatus.RUNNING,
        ActivityStatus.PAUSED,
        ActivityStatus.STOPPED,
        ActivityStatus.STOPPED,
        ActivityStatus.FINISHED,
        ActivityStatus.FINISHED,
    ]
