"""Two Discord servers on one bot, end to end: each class runs its own quizzes and sees only
its own leaderboards, team channels and queues (the same person may be in both)."""

from __future__ import annotations

import pytest

from skills.quiz.bank import load_banks
from tests.bot.discord.test_e2e_class_day import RAW_ID, assert_clean, is_question, question_kind

pytestmark = pytest.mark.e2e


def right_answer(record) -> str:
    """The bank's answer to the question this message asks: a letter, a number or the
    reference answer (the leaderboard names only students with a right answer)."""
    shown = " ".join(record.embeds[0].get("description", "").split())
    for q in load_banks():
        if " ".join(q.prompt.split())[:60] in shown.replace("\\", ""):
            if q.kind == "choice":
                return "ABCDE"[q.answer]
            return str(q.answer) if q.kind == "numeric" else q.reference
    raise AssertionError(f"not a bank question: {shown}")


def answer_first_question(d, guild, channel, since, student):
    question = d.wait_post(guild, channel, since, is_question, timeout=15)
    answer = right_answer(question)
    if question_kind(d, question) == "choice":
        button = d.button(question.message_id, answer)["custom_id"]
        reply = d.click(student, guild, channel, question.message_id, button)
    else:
        button = d.button(question.message_id, "Answer")["custom_id"]
        form = d.click(student, guild, channel, question.message_id, button)
        reply = d.submit(
            student, guild, channel, form.modal, answer, message_id=question.message_id
        )
    assert_clean(reply)
    assert "Recorded" in reply.text()


def test_two_classes_keep_their_quizzes_and_leaderboards_apart(discord_class, first, second):
    d = discord_class
    assert_clean(d.slash("bea", second, "team1", "quiz join", {"team": "team1"}))
    assert_clean(d.slash("fay", second, "team1", "quiz join", {"team": "team1"}))
    since = d.mark()
    # Same channel names, same team, at the same time, in two servers.
    assert_clean(
        d.slash(
            "eve", second, "team1", "quiz start", {"team": "team1", "questions": 1, "seconds": 30}
        )
    )
    assert_clean(
        d.slash(
            "ana", first, "team1", "quiz start", {"team": "team1", "questions": 1, "seconds": 30}
        )
    )
    answer_first_question(d, second, "team1", since, "fay")
    answer_first_question(d, second, "team1", since, "bea")
    answer_first_question(d, first, "team1", since, "cai")
    for guild, teacher in ((second, "eve"), (first, "ana")):
        assert_clean(d.slash(teacher, guild, "team1", "quiz stop"))
    evening = d.slash("fay", second, "class", "quiz leaderboard").text()
    morning = d.slash("dan", first, "class", "quiz leaderboard").text()
    assert "Fay" in evening and "Bea" in evening and "Cai" not in evening and "Dan" not in evening
    assert "Cai" in morning and "Fay" not in morning
    assert "team1" in evening and not RAW_ID.search(evening + morning)


def test_two_classes_keep_team_channels_and_queues_apart(discord_class, first, second):
    d = discord_class
    lab = second.channels["lab"]
    mapped = d.slash(
        "eve",
        second,
        "class",
        "admin team-channel",
        {"team": "team1", "channel": lab["id"]},
        resolved={"channels": {lab["id"]: {**lab, "permissions": "0"}}},
    )
    assert_clean(mapped)
    # The first class mapped all five teams; the evening class only one: its jigsaw cannot start.
    refused = d.slash(
        "eve", second, "class", "jigsaw start", {"learn": 1, "prepare": 1, "teach": 1, "quiz": 1}
    )
    assert_clean(refused)
    assert refused.private and "team2" in refused.text()
    assert_clean(
        d.slash(
            "fay",
            second,
            "class",
            "ask",
            {"question": "Can BERT read the handwriting on my croissants order?"},
        )
    )
    evening = d.slash("eve", second, "class", "admin unanswered").text()
    morning = d.slash("ana", first, "class", "admin unanswered").text()
    assert "croissants" in evening and "Fay" in evening
    assert "croissants" not in morning and "Fay" not in morning
    evening_jobs = d.slash("eve", second, "class", "finetune jobs")
    morning_jobs = d.slash("ana", first, "class", "finetune jobs")
    assert "past-" not in morning_jobs.text() and "loader" not in morning_jobs.text()
    assert evening_jobs.files() or "failed" in evening_jobs.text()
    # A job number means the class's own job: the evening class's job #1 failed long ago (the
    # first class's #1 may be a finished model, which the evening class must not reach).
    tried = d.slash("fay", second, "class", "finetune try", {"job": 1, "text": "a fine film"})
    assert_clean(tried)
    assert "Job #1 has no model to try (failed)" in tried.text(), tried.text()
