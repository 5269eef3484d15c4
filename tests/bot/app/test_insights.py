"""The instructor's digest on a seeded quiz history (groups, counts, no names anywhere), a
student's own progress, and the grades export."""

import csv
import json

import pytest
from PIL import Image

from bot.app.context import DIRECT_MESSAGES
from bot.app.insights import parse_since
from bot.errors import NotAllowed, UsageError
from bot.render.insights import render_digest, render_progress
from tests.helpers import SEED_PEOPLE, seed_class, who

PROF = who("prof", instructor=True)
DAY = 86_400.0


@pytest.fixture
def seeded(settings, encoder, clock):
    from bot.app.tutor import Tutor

    clock.now = 1_700_000_000.0
    tutor = Tutor(settings, encoder=encoder, clock=clock)
    seed_class(tutor, answered_at=clock.now - 2 * DAY)
    seed_class(tutor, server="guild-2", answered_at=clock.now - 2 * DAY)  # another class
    yield tutor
    tutor.close()


def concept(digest, concept_id):
    return next(c for c in digest.concepts if c.concept == concept_id)


def test_digest_groups_wrong_answers_counts_them_and_names_nobody(seeded, clock):
    digest = seeded.insights.digest(PROF, "7d")
    masks = concept(digest, "attention-masks-and-padding")
    assert (masks.asked, masks.declined, masks.answers) == (2, 1, 5)
    assert masks.accuracy == pytest.approx(0.2)
    # "A", "a" and the text of choice A are one wrong answer, counted four times.
    (choice,) = masks.wrong_answers
    assert (choice.example, choice.count) == ("A) Attend to this token", 4)
    steps = concept(digest, "epochs-batches-steps")
    assert [(w.example, w.count) for w in steps.wrong_answers] == [
        ("10 steps", 3),
        ("1000 steps", 1),
    ]
    # Free text grouped by meaning (MiniLM): three "batch too small" answers, one about labels.
    nan = concept(digest, "learning-rate-and-warmup").wrong_answers
    assert [w.count for w in nan] == [3, 1]
    assert "batch" in nan[0].example and "labels" in nan[1].example
    assert digest.questions == 4 and digest.declined == 2 and digest.declined_unmatched == 1
    assert digest.answers == 14  # this class only, not guild-2's
    # Three concepts to revisit, each with its card; the worst first.
    assert digest.revisit[0].concept == "attention-masks-and-padding"
    assert len(digest.revisit) == 3 and all(r.key_points for r in digest.revisit)
    assert "20% over 5 answers" in digest.revisit[0].reason
    assert digest.feedback_recorded  # "not what I asked" flags are stored (issue 13)
    # No names and no ids, in the data, the text or the chart's alt text.
    everything = json.dumps(digest.to_json()) + render_digest(digest, where="PLM") + digest.alt_text
    for person, name in SEED_PEOPLE.items():
        assert person not in everything and name not in everything
        assert name.split()[0] not in everything


def test_digest_chart_is_a_png_with_alt_text(seeded, tmp_path):
    digest = seeded.insights.digest(PROF, "all", chart=tmp_path / "week.png")
    assert digest.chart == tmp_path / "week.png"
    image = Image.open(digest.chart)
    assert image.info["Description"] == digest.alt_text
    assert "Attention masks and padding: accuracy 20% (n=5)" in digest.alt_text
    with pytest.raises(UsageError, match="PNG"):
        seeded.insights.digest(PROF, "all", chart=tmp_path / "week.jpg")


def test_digest_window_and_permissions(seeded, clock):
    assert seeded.insights.digest(PROF, "1d").answers == 0  # answers were 2 days ago
    with pytest.raises(NotAllowed):
        seeded.insights.digest(who("u-ana"), "7d")
    with pytest.raises(UsageError, match="not a start of a period"):
        seeded.insights.digest(PROF, "last tuesday")
    assert parse_since("2w", 1_000_000.0) == 1_000_000.0 - 14 * DAY
    assert parse_since("all", 5.0) == 0.0
    assert parse_since("1970-01-02", 5.0) == DAY


def test_progress_shows_only_the_acting_students_own_mastery(seeded):
    ana = seeded.insights.progress(who("u-ana", name="Anastasia Quux"))
    mastery = {c.concept: (c.mastery, c.answers) for c in ana.concepts}
    assert mastery["attention-masks-and-padding"] == (0.5, 2)  # one wrong, one right
    assert mastery["epochs-batches-steps"] == (0.0, 1)
    text = render_progress(ana)
    assert "only you see this" in text
    assert not any(n in text for p, n in SEED_PEOPLE.items() if p != "u-ana")
    assert seeded.insights.progress(who("newcomer")).concepts == []


def test_progress_asked_in_a_dm_is_the_progress_in_the_students_class(seeded):
    seeded.classes.join_team(who("solo", server="guild-2"), "team2")
    assert seeded.insights.progress(who("solo", server=DIRECT_MESSAGES)).concepts == []
    with pytest.raises(UsageError, match="several classes"):  # Ana is in both seeded classes
        seeded.insights.progress(who("u-ana", server=DIRECT_MESSAGES))
    with pytest.raises(UsageError, match="belongs to no class"):
        seeded.insights.progress(who("newcomer", server=DIRECT_MESSAGES))


def test_grades_export_one_row_per_student_with_the_roster(seeded, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "discord_id,student_id,name\nu-ana,S001,Ana\nBenedikt Zorro,S002,\nu-eve,S009,Eve\n"
    )
    export = seeded.insights.export_grades(PROF, tmp_path / "out" / "grades.csv", roster)
    with export.path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "person_id",
        "student_id",
        "display_name",
        "team",
        "quiz_points",
        "quiz_answers",
        "quiz_correct",
        "quiz_mean_credit",
        "quizzes_taken",
        "review_cards",
        "review_answers",
        "review_correct",
        "review_days",
        "finetune_runs",
        "finetune_succeeded",
        "finetune_best_dev_accuracy",
        "questions_asked",
    ]
    by_id = {r["person_id"]: r for r in rows}
    assert set(by_id) == {"u-ana", "u-ben", "u-cy", "u-dee", "u-eve"}
    ana = by_id["u-ana"]
    assert (ana["student_id"], ana["display_name"], ana["team"]) == ("S001", "Anastasia Quux", "3")
    assert (ana["quiz_points"], ana["quiz_answers"], ana["quiz_correct"]) == ("100", "4", "1")
    assert (ana["quiz_mean_credit"], ana["questions_asked"]) == ("0.25", "1")
    assert by_id["u-ben"]["student_id"] == "S002"  # matched by display name
    assert by_id["u-cy"]["student_id"] == ""  # not on the roster
    assert (by_id["u-eve"]["display_name"], by_id["u-eve"]["quiz_points"]) == ("Eve", "0")
    assert export.unmatched == ["u-eve"]
    with pytest.raises(NotAllowed):
        seeded.insights.export_grades(who("u-ana"), tmp_path / "g.csv")


def test_roster_errors_say_what_to_fix(seeded, tmp_path):
    from bot.errors import TutorError

    roster = tmp_path / "roster.csv"
    roster.write_text("who,number\nu-ana,1\n")
    with pytest.raises(TutorError, match="header"):
        seeded.insights.export_grades(PROF, tmp_path / "g.csv", roster)
    roster.write_text("discord_id,student_id\nu-ana,\n")
    with pytest.raises(TutorError, match="line 2"):
        seeded.insights.export_grades(PROF, tmp_path / "g.csv", roster)
