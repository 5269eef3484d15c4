"""/admin digest and /progress: private replies, the chart attached with its alt text, and no
student names in the class-wide digest."""

import json

from tests.bot.discord.conftest import make_interaction, run, sent
from tests.helpers import SEED_PEOPLE, seed_class


def test_admin_digest_is_private_with_the_chart_and_no_names(bot):
    seed_class(bot.tutor, server="10")  # the test interactions' guild
    interaction = make_interaction(bot, manage_guild=True)
    admin = bot.get_cog("Admin")
    run(admin.digest.callback(admin, interaction, since="all"))
    interaction.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    messages = sent(interaction)
    assert messages and all(m["ephemeral"] for m in messages)
    files = [f for m in messages for f in m.get("files", [])]
    chart = next(f for f in files if f.filename == "digest.png")
    assert "Attention masks and padding" in chart.description
    text = "".join(m["content"] for m in messages)
    for f in files:
        if f.filename == "digest.txt":
            text += f.fp.read().decode()
    assert "concept" in text and "Revisit first" in text
    assert not any(n in text for n in SEED_PEOPLE.values())
    assert all(len(m["content"]) <= 2000 for m in messages)


def test_progress_is_ephemeral_and_only_your_own(bot):
    seed_class(bot.tutor, server="10")

    def answer(db) -> None:
        db.table("quiz_answers").insert(
            {
                "server": "10",
                "session_id": 1,
                "question_index": 99,
                "question_id": "t3-sep",
                "concepts": json.dumps(["special-tokens"]),
                "user": "1",
                "answer": "B",
                "credit": 1.0,
                "points": 100,
                "answered_at": 1000.0,
            }
        )

    bot.tutor.store.write(answer)
    interaction = make_interaction(bot, user_id=1)
    cog = bot.get_cog("ProgressCog")
    run(cog.progress.callback(cog, interaction))
    interaction.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    (message,) = sent(interaction)
    assert message["ephemeral"] is True
    assert "Special tokens" in message["content"] and "100%" in message["content"]
    assert "Attention masks" not in message["content"]  # the seeded students' concepts
    assert not any(n in message["content"] for n in SEED_PEOPLE.values())


def test_the_digest_is_instructor_only(bot):
    from bot.discord.checks import NotInstructor

    interaction = make_interaction(bot, manage_guild=False)
    admin = bot.get_cog("Admin")
    check = admin.digest.checks[0]
    try:
        check(interaction)
    except NotInstructor:
        return
    raise AssertionError("a student could run /admin digest")
