"""/review on Discord with spec_set mocks: questions go to a DM, every other reply is
ephemeral, reminders are DMs to those who opted in, and the Anki export is a private file."""

import asyncio
import datetime as dt
import io
import sqlite3
import zipfile
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest

from bot.app.reviews import Reminder
from bot.errors import ReviewError
from tests.bot.discord.conftest import make_interaction, run, sent
from tests.helpers import close_quiz_question, who

DAY = 86_400.0
GUILD = 10


@pytest.fixture
def review(bot, clock):
    """Student 2 missed t3-sep in yesterday's quiz in the class server; now it is due."""
    clock.now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC).timestamp()
    close_quiz_question(bot.tutor, clock, "t3-sep", {"2": 0.0}, server=str(GUILD))
    clock.now += DAY
    return bot.get_cog("ReviewCog")


def student(bot, user_id=2, **kwargs):
    interaction = make_interaction(bot, user_id=user_id, **kwargs)
    interaction.user.send = AsyncMock()
    interaction.message = None  # a slash command; the e2e test clicks real messages
    return interaction


def custom_ids(view) -> list[str]:
    return [item.custom_id for item in view.children]


def test_review_start_sends_the_question_to_a_dm_and_replies_privately(bot, review):
    interaction = student(bot, channel_id=555, guild_id=GUILD)
    run(review.start.callback(review, interaction))
    interaction.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    interaction.user.send.assert_awaited_once()
    dm = interaction.user.send.await_args.kwargs
    assert isinstance(dm["embed"], discord.Embed) and "1 due today" in dm["embed"].title
    # Buttons that carry the class and the question: they work after a restart too.
    assert custom_ids(dm["view"]) == [f"review:{GUILD}:{c}:t3-sep" for c in "ABCD"]
    (reply,) = sent(interaction)
    assert reply["ephemeral"] is True and "in your DMs" in reply["content"]


def test_an_answer_in_the_dm_is_graded_with_the_card_after_a_miss(bot, review, clock):
    run(review.start.callback(review, student(bot, guild_id=GUILD)))
    dm = student(bot, channel_id=999, guild_id=None)  # the button click comes from the DM
    sep = next(q for q in bot.tutor.bank.questions() if q.id == "t3-sep")
    wrong = "ABCDE"[(sep.answer + 1) % len(sep.choices)]  # a real attempt, and wrong
    run(review.submit(dm, str(GUILD), "t3-sep", wrong))
    messages = sent(dm)
    assert all(m["ephemeral"] is True for m in messages)
    text = "".join(m["content"] or "" for m in messages)
    assert text.startswith("Missed.") and "Read the card: Special tokens" in text
    assert "That was the last question due today." in text
    assert custom_ids(messages[-1]["view"]) == [f"review-export:{GUILD}"]
    status = bot.tutor.reviews.status(who("2", server=str(GUILD)))
    assert status.due_today == [] and status.next_due == "2026-03-04"
    with pytest.raises(ReviewError, match="not due"):  # a second click on the old buttons
        run(review.submit(student(bot, guild_id=None), str(GUILD), "t3-sep", "B"))


def test_closed_dms_are_explained_and_nothing_is_posted(bot, review):
    interaction = student(bot, guild_id=GUILD)
    interaction.user.send.side_effect = discord.Forbidden(MagicMock(status=403), "closed")
    run(review.start.callback(review, interaction))
    (reply,) = sent(interaction)
    assert reply["ephemeral"] is True and "cannot send you a direct message" in reply["content"]
    assert bot.tutor.reviews.serving(who("2", server=str(GUILD))) is None


def test_status_remind_and_add_are_ephemeral(bot, review):
    interaction = student(bot, guild_id=GUILD)
    run(review.status.callback(review, interaction))
    (reply,) = sent(interaction)
    assert reply["ephemeral"] is True and "Due today" in reply["content"]
    assert custom_ids(reply["view"]) == [f"review-export:{GUILD}"]
    interaction = student(bot, guild_id=GUILD)
    run(review.remind.callback(review, interaction, state="on"))
    assert sent(interaction)[0]["ephemeral"] is True
    assert "Reminders on" in sent(interaction)[0]["content"]
    interaction = student(bot, user_id=3, guild_id=GUILD)
    run(review.add.callback(review, interaction, team=None, question="t3-cls"))
    assert sent(interaction)[0]["ephemeral"] is True
    assert "Added 1 question to" in sent(interaction)[0]["content"]


def test_a_command_in_a_dm_finds_the_students_class(bot, review):
    interaction = student(bot, guild_id=None)
    run(review.start.callback(review, interaction))
    assert custom_ids(interaction.user.send.await_args.kwargs["view"])[0].startswith(
        f"review:{GUILD}:"
    )
    stranger = student(bot, user_id=5, guild_id=None)
    with pytest.raises(ReviewError, match="class's server"):
        run(review.start.callback(review, stranger))


def test_export_button_sends_a_private_anki_deck(bot, review):
    interaction = student(bot, guild_id=None)
    run(review.export(interaction, str(GUILD)))
    (reply,) = sent(interaction)
    assert reply["ephemeral"] is True and reply["file"].filename == "tutorbot-review.apkg"
    with zipfile.ZipFile(io.BytesIO(reply["file"].fp.read())) as archive:
        collection = archive.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    db.deserialize(collection)
    (fields,) = [r[0].split("\x1f") for r in db.execute("SELECT flds FROM notes")]
    db.close()
    assert fields[1].startswith("B) ") or fields[1][0] in "ABCDE"


def test_reminders_are_dms_only_to_students_who_opted_in(bot, review, clock):
    bot.tutor.reviews.set_reminders(who("2", server=str(GUILD)), True)
    close_quiz_question(bot.tutor, clock, "t3-cls", {"3": 0.0}, server=str(GUILD))
    clock.now += DAY  # student 3 has a question due too, but never opted in
    users = {uid: MagicMock(spec_set=discord.User, send=AsyncMock()) for uid in (2, 3)}
    bot.get_user = users.get
    guild = MagicMock(spec_set=discord.Guild)
    guild.name = "PLM class"
    bot.get_guild = {GUILD: guild}.get

    async def timer_thread_fires():
        bot.loop = asyncio.get_running_loop()  # as once logged in
        reminders = await asyncio.to_thread(bot.tutor.reviews.send_reminders)
        await asyncio.sleep(0.05)  # the DM is posted on the event loop
        return reminders

    reminders = run(timer_thread_fires())
    assert [r.user for r in reminders] == ["2"]
    users[2].send.assert_awaited_once()
    dm = users[2].send.await_args.args[0]
    assert dm.startswith("You have 1 quiz question to review today in PLM class.")
    users[3].send.assert_not_awaited()
    assert run(timer_thread_fires()) == []  # once a day


def test_a_reminder_to_closed_dms_is_only_logged(bot, review):
    closed = MagicMock(spec_set=discord.User)
    closed.send = AsyncMock(side_effect=discord.Forbidden(MagicMock(status=403), "closed"))
    bot.get_user = lambda user_id: closed
    bot.get_guild = lambda guild_id: None
    run(review.on_reminder(Reminder(str(GUILD), "2", "Student 2", 1)))
    closed.send.assert_awaited_once()
