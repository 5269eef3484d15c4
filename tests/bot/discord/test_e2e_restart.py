"""A restart in the middle of class, end to end: the bot is killed (kill -9) while a quiz has
a question open and a jigsaw activity runs, and started again on the same data. Each channel
is told what happened, the question left behind is disabled, and the instructor resumes or
ends both from Discord. A review question sent by DM before the restart is answered after it,
and the review's export button still works. Runs after the other end-to-end tests (a restart forgets what the bot
held in memory)."""

from __future__ import annotations

import pytest

from tests.bot.discord.test_e2e_class_day import assert_clean, is_question, map_team_channels
from tests.bot.discord.test_e2e_two_servers import answer_first_question

pytestmark = [pytest.mark.e2e, pytest.mark.restarts_the_bot]


def test_a_restart_mid_quiz_and_mid_jigsaw(discord_class, first):
    d = discord_class
    map_team_channels(d, first)
    timings = {"learn": 10, "prepare": 5, "teach": 2, "quiz": 5}
    assert_clean(d.slash("ana", first, "class", "jigsaw start", timings))
    since = d.mark()
    started = d.slash(
        "ana", first, "team2", "quiz start", {"team": "team2", "questions": 3, "seconds": 300}
    )
    assert_clean(started)
    quiz = started.text().split("#")[1].split(":")[0]
    answer_first_question(d, first, "team2", since, "bea")
    question = d.wait_post(first, "team2", since, is_question, timeout=15)
    assert not any(b.get("disabled") for b in d.buttons(d.message(question.message_id)))

    # Bea reviews by DM: one question waits in her DMs, and /review status has the export.
    added = d.slash("bea", first, "class", "review add", {"team": "team1"})
    assert added.private and "Added" in added.text(), added.text()
    dm_since = d.mark()
    assert "in your DMs" in d.slash("bea", first, "class", "review start").text()
    review = wait_dm(d, "bea", dm_since)
    status = d.slash("bea", first, "class", "review status")
    assert status.private

    restarted_at = d.mark()
    d.restart_bot(kill=True)

    notice = d.wait_post(
        first, "team2", restarted_at, lambda r: "interrupted by a restart" in r.content, timeout=30
    )
    assert f"Quiz #{quiz}" in notice.content and "question 1 of 3" in notice.content
    assert (
        "answers so far are kept (1 answer)" in notice.content and "/quiz resume" in notice.content
    )
    assert d.wait_for(
        lambda: all(b.get("disabled") for b in d.buttons(d.message(question.message_id))), 10
    ), d.message(question.message_id)["components"]
    jigsaw = d.wait_post(
        first, "class", restarted_at, lambda r: "interrupted by a restart" in r.content, timeout=30
    )
    assert "learn" in jigsaw.content.lower() and "/jigsaw resume" in jigsaw.content

    # Only the instructor resumes; the quiz goes on from the question it was on.
    refused = d.slash("bea", first, "team2", "quiz resume")
    assert refused.private and "resumed" not in refused.text()
    resumed_at = d.mark()
    resumed = d.slash("ana", first, "team2", "quiz resume")
    assert_clean(resumed)
    assert f"Quiz #{quiz} resumed at question 1 of 3" in resumed.text(), resumed.text()
    again = d.wait_post(first, "team2", resumed_at, is_question, timeout=15)
    assert again.embeds[0]["title"] == "Question 1/3"
    assert not any(b.get("disabled") for b in d.buttons(d.message(again.message_id)))
    # Bea's answer from before the restart still counts: the results name her.
    assert_clean(d.slash("ana", first, "team2", "quiz stop"))
    results = d.wait_post(
        first, "team2", resumed_at, lambda r: f"Quiz #{quiz} stopped" in r.content, timeout=15
    )
    assert "Bea" in results.content, results.content

    # The interrupted activity: ended from Discord (it could be resumed the same way).
    stopped = d.slash("ana", first, "class", "jigsaw stop")
    assert_clean(stopped)
    assert "stopped during learn" in stopped.text(), stopped.text()
    after = d.slash("ana", first, "class", "jigsaw resume")
    assert "No jigsaw activity" in after.text(), after.text()

    # The review question from before the restart is answered; then its buttons are disabled
    # and the next question comes as a DM of its own.
    answered_at = d.mark()
    labels = [b.get("label") for b in d.buttons(d.message(review.message_id))]
    if labels[0] == "A":
        verdict = d.click(
            "bea", None, None, review.message_id, d.button(review.message_id, "A")["custom_id"]
        )
    else:
        opened = d.click(
            "bea", None, None, review.message_id, d.button(review.message_id, "Answer")["custom_id"]
        )
        assert opened.modal is not None, opened.text()
        verdict = d.submit("bea", None, None, opened.modal, "12", message_id=review.message_id)
    assert_clean(verdict)
    assert "Next review of this question" in verdict.text(), verdict.text()
    assert d.wait_for(
        lambda: all(b.get("disabled") for b in d.buttons(d.message(review.message_id))), 10
    ), d.message(review.message_id)["components"]
    following = wait_dm(d, "bea", answered_at)
    assert not any(b.get("disabled") for b in d.buttons(d.message(following.message_id)))
    shown = status.shown()[-1]  # the status, with its export button
    export = d.button(shown.message_id, "Export to Anki (.apkg)")
    deck = d.click("bea", first, "class", shown.message_id, export["custom_id"])
    assert_clean(deck)
    # The button answers after the restart: the deck, or (when this test runs alone and Bea
    # missed nothing yet) the plain reason there is none.
    assert deck.private, deck.text()
    if "no missed quiz questions" not in deck.text():
        assert [f["filename"] for f in deck.files()] == ["tutorbot-review.apkg"], deck.text()
    assert d.log_problems() == [], d.log()[-3000:]


def wait_dm(d, user: str, since: int):
    """The next review question the bot sent to `user`'s DMs."""
    dm = d.server.people[user].dm_channel
    found = d.wait_for(
        lambda: next(
            (
                r
                for r in d.records()[since:]
                if r.kind == "channel_message" and r.channel == dm and not r.refused and r.embeds
            ),
            None,
        ),
        15,
    )
    assert found is not None, "no review question reached the DMs"
    return found
