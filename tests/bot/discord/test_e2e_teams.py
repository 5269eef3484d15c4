"""Teams and extra time on Discord, end to end: the instructor assigns members by @mention,
balances the rest and shows the teams to the class; a student's extra time is set privately,
and a question's post says when results come without naming anyone."""

from __future__ import annotations

import pytest

from tests.bot.discord.test_e2e_class_day import RAW_ID, assert_clean, is_question

pytestmark = pytest.mark.e2e


def test_teams_by_mention_balance_and_share(discord_class, first):
    d = discord_class
    bea, cai, dan, fay = (d.server.people[u] for u in ("bea", "cai", "dan", "fay"))

    def teams(user, options):
        reply = d.slash(user, first, "class", "admin teams", options)
        assert_clean(reply)
        return reply

    assigned = teams(
        "ana", {"action": "assign", "team": "team2", "members": f"<@{bea.id}> <@!{cai.id}>"}
    )
    assert assigned.private and "team2: Bea, Cai" in assigned.text()
    placed = teams("ana", {"action": "assign", "team": "4", "members": f"<@{dan.id}>"})
    assert "team4: Dan" in placed.text()
    # Once known to the bot, a member may be named too (between commas).
    again = teams("ana", {"action": "assign", "team": "team2", "members": "Bea, cai"})
    assert "team2: Bea, Cai" in again.text()
    assert teams("ana", {"action": "balance"}).private
    shared = teams("ana", {"share": True})  # the list, for the class to see
    assert not shared.private and "team2: Bea, Cai" in shared.text()
    assert not RAW_ID.search(shared.text())

    stranger = teams("ana", {"action": "assign", "team": "team1", "members": f"<@{fay.id}>"})
    assert stranger.private and "not a member of this server" in stranger.text()
    student = teams("bea", {"action": "balance"})
    assert student.private and "Only the instructor" in student.text()


def test_extra_time_is_private_and_the_question_says_when_results_come(discord_class, first):
    d = discord_class
    dan = d.server.people["dan"]
    assert_clean(d.slash("dan", first, "lab", "quiz join", {"team": "team4"}))

    def accommodate(multiplier):
        reply = d.slash(
            "ana",
            first,
            "class",
            "admin accommodate",
            {"member": dan.id, "multiplier": multiplier},
            resolved={
                "users": {dan.id: dan.user()},
                "members": {dan.id: d.server.member(first, "dan", with_user=False)},
            },
        )
        assert_clean(reply)
        assert reply.private
        return reply.text()

    assert "Dan now has 1.5x the time" in accommodate(1.5)
    listing = d.slash("ana", first, "class", "admin accommodate")
    assert listing.private and "Dan: 1.5x" in listing.text()
    try:
        since = d.mark()
        started = d.slash(
            "ana", first, "lab", "quiz start", {"team": "team1", "questions": 1, "seconds": 20}
        )
        assert_clean(started)
        question = d.wait_post(first, "lab", since, is_question, timeout=15)
        (time_field,) = [f for f in question.embeds[0]["fields"] if f["name"] == "Time"]
        assert "with extra time: results" in time_field["value"]
        assert "Dan" not in str(question.embeds)  # nobody's accommodation is shown
        assert_clean(d.slash("ana", first, "lab", "quiz stop"))
    finally:
        assert "Dan has no extra time now" in accommodate(1.0)
