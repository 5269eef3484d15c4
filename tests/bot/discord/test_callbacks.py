"""Slash-command callbacks called directly with spec_set mocks: what gets sent, and how."""

import re

import discord
import pytest
from discord import app_commands

from bot.app.quizzes import QuestionOpened
from bot.discord.checks import NotInstructor, is_instructor
from bot.errors import TutorError
from tests.bot.discord.conftest import make_interaction, run, sent
from tests.helpers import right_answer


def cog(bot, name):
    return bot.get_cog(name)


def test_ask_defers_then_follows_up_with_an_embed(bot):
    interaction = make_interaction(bot)
    ask = cog(bot, "Ask")
    run(
        ask.ask.callback(
            ask, interaction, question="how many steps per epoch with 1000 examples, batch 10?"
        )
    )
    interaction.response.defer.assert_awaited_once()
    (message,) = sent(interaction)
    embed = message["embed"]
    assert isinstance(embed, discord.Embed)
    assert embed.title == "Epochs, batches and steps"
    assert "Sources" in [f.name for f in embed.fields]


def test_bot_never_pings(bot):
    assert bot.allowed_mentions.everyone is False
    assert bot.allowed_mentions.roles is False and bot.allowed_mentions.users is False


def test_tokenize_output_is_a_code_block_and_echo_is_inert(bot):
    interaction = make_interaction(bot)
    demos = cog(bot, "Demos")
    run(
        demos.tokenize.callback(
            demos, interaction, text="@everyone ``` hi", tokenizer=None, pair=None
        )
    )
    messages = sent(interaction)
    assert messages and all(len(m["content"]) <= 2000 for m in messages)
    joined = "".join(m["content"] for m in messages)
    assert joined.startswith("```") and joined.count("```") % 2 == 0
    assert "WordPiece" in joined


def test_long_output_goes_out_as_a_file(bot):
    interaction = make_interaction(bot)
    demos = cog(bot, "Demos")
    run(demos.tokenize.callback(demos, interaction, text="word " * 400, tokenizer=None, pair=None))
    (message,) = sent(interaction)
    assert isinstance(message["file"], discord.File)


def test_mask_without_model_explains(bot, monkeypatch):
    from skills import models

    monkeypatch.setattr(models, "hub_reachable", lambda: False)
    interaction = make_interaction(bot)
    demos = cog(bot, "Demos")
    run(
        demos.mask.callback(
            demos, interaction, text="The [MASK] sat.", top_k=5, targets=None, model=None
        )
    )
    text = "".join(m["content"] for m in sent(interaction))
    assert "TUTOR_MODEL_DIR" in text and "[MASK]" in text


def test_attention_attaches_the_heatmap_with_alt_text(bot, tmp_path):
    interaction = make_interaction(bot)
    inside = cog(bot, "Inside")
    run(
        inside.attention.callback(
            inside, interaction, text="The bank of the river", layer=2, head=None
        )
    )
    interaction.response.defer.assert_awaited_once()
    (message,) = sent(interaction)
    file = message["file"]
    assert isinstance(file, discord.File) and file.filename == "attention.png"
    assert file.description.startswith("Heatmap of all-MiniLM-L6-v2's attention, layer 2 of 6")
    assert file.fp.read(8) == b"\x89PNG\r\n\x1a\n"
    text = message["content"]
    assert len(text) <= 2000 and text.startswith("```") and "Strongest links" in text
    assert str(tmp_path) not in text and "images" not in text  # no server path on Discord


def test_embed_attaches_the_similarity_picture(bot):
    interaction = make_interaction(bot)
    inside = cog(bot, "Inside")
    sentences = dict(
        sentence1="I sat on the river bank " + "and watched the water " * 60,
        sentence2="The bank of the stream was muddy",
        sentence3="I paid cash into the bank",
        sentence4=None,
        sentence5=None,
        sentence6=None,
    )
    run(inside.embed.callback(inside, interaction, word="bank", **sentences))
    (message,) = sent(interaction)
    assert message["file"].filename == "embed.png" and "cosine" in message["file"].description
    assert len(message["content"]) <= 2000 and "closest" in message["content"]


def test_user_errors_go_through_the_one_error_handler(bot):
    interaction = make_interaction(bot)
    error = app_commands.CommandInvokeError(
        cog(bot, "Ask").ask, TutorError("Please type a question.")
    )
    run(bot.on_app_command_error(interaction, error))
    interaction.response.send_message.assert_awaited_once_with(
        "Please type a question.", ephemeral=True
    )
    # after a defer the same handler uses the followup
    deferred = make_interaction(bot)
    run(deferred.response.defer())
    run(bot.on_app_command_error(deferred, error))
    deferred.followup.send.assert_awaited_once_with("Please type a question.", ephemeral=True)
    deferred.delete_original_response.assert_awaited_once()  # a public "thinking…" goes away


def test_unexpected_errors_are_logged_not_shown(bot, caplog):
    interaction = make_interaction(bot)
    error = app_commands.CommandInvokeError(cog(bot, "Ask").ask, RuntimeError("secret token abc"))
    run(bot.on_app_command_error(interaction, error))
    (args, kwargs) = interaction.response.send_message.await_args
    assert "secret" not in args[0] and kwargs["ephemeral"] is True
    assert "secret token abc" in caplog.text


def test_instructor_checks_are_enforced_in_code(bot):
    student = make_interaction(bot, user_id=7)
    manager = make_interaction(bot, user_id=8, manage_guild=True)
    assert not is_instructor(student) and is_instructor(manager)
    bot.settings.instructor_user_ids.append(7)
    try:
        assert is_instructor(student)
        assert not is_instructor(manager)  # an allow-list, once set, is the only way in
    finally:
        bot.settings.instructor_user_ids.remove(7)
    quiz = cog(bot, "QuizCog")
    with pytest.raises(NotInstructor):
        for check in quiz.start.checks:
            check(make_interaction(bot, user_id=9))


def test_quiz_with_three_users_and_a_timer(bot, clock):
    events = []
    bot.tutor.quizzes.subscribe(events.append)
    quiz = cog(bot, "QuizCog")
    teacher = make_interaction(bot, user_id=1, channel_id=555, manage_guild=True)
    run(quiz.start.callback(quiz, teacher, team="team3", questions=2, seconds=20))
    assert "Quiz #1" in sent(teacher)[0]["content"]
    opened = events[0]
    assert isinstance(opened, QuestionOpened)
    answers = {2: right_answer(opened, bot.tutor), 3: "no idea", 4: right_answer(opened, bot.tutor)}
    for user_id, answer in answers.items():
        student = make_interaction(bot, user_id=user_id, channel_id=555)
        run(quiz.submit(student, answer))
        (ack,) = sent(student)
        assert ack["ephemeral"] is True and ack["content"].startswith("Recorded:")
    again = make_interaction(bot, user_id=2, channel_id=555)
    run(quiz.submit(again, "B"))
    assert sent(again)[0]["content"].startswith("Not counted:")
    clock.now += 21
    bot.tutor.quizzes.tick()
    closed = next(e for e in events if type(e).__name__ == "QuestionClosed")
    assert len(closed.answers) == 3
    scores = {closed.names[a.user]: a.points for a in closed.answers}
    assert scores == {"Student 2": 100, "Student 3": 0, "Student 4": 100}


def test_question_view_has_buttons_for_choices(bot):
    from bot.discord.cogs.quiz import QuestionView
    from skills.quiz.bank import Question

    async def build():
        quiz = cog(bot, "QuizCog")
        choice = Question("q", 1, "choice", ("attention",), "?", choices=("a", "b", "c"), answer=0)
        free = Question("f", 1, "free", ("attention",), "?", reference="r")
        return (
            QuestionView(quiz, QuestionOpened("10", "1", 1, 1, 1, choice, 30)),
            QuestionView(quiz, QuestionOpened("10", "1", 1, 1, 1, free, 30)),
        )

    choice_view, free_view = run(build())
    assert [b.label for b in choice_view.children] == ["A", "B", "C"]
    assert [b.label for b in free_view.children] == ["Answer"]


def test_an_answer_has_a_not_what_i_asked_button_that_queues_it(bot):
    from bot.discord.cogs.ask import NotWhatIAsked

    ask = cog(bot, "Ask")
    student = make_interaction(bot, user_id=7)
    run(ask.ask.callback(ask, student, question="what is the cls token for?"))
    (message,) = sent(student)
    (item,) = message["view"].children
    button = item.item
    assert button.label == "Not what I asked" and button.custom_id.startswith("ask:flag:")
    # a click after a restart: the bot rebuilds the item from its custom id
    match = re.fullmatch(r"ask:flag:(?P<id>[0-9]+)", button.custom_id)
    clicked = run(NotWhatIAsked.from_custom_id(student, button, match))
    click = make_interaction(bot, user_id=7)
    run(clicked.callback(click))
    (ack,) = sent(click)
    assert ack["ephemeral"] is True and "with the instructor now" in ack["content"]
    (group,) = bot.tutor.ask.unanswered("10")
    assert group.flagged and group.question == "what is the cls token for?"
    other = make_interaction(bot, user_id=8)
    run(clicked.callback(other))
    assert "only flag answers to your own" in sent(other)[0]["content"]


def test_small_talk_gets_no_button_and_is_not_queued(bot):
    ask = cog(bot, "Ask")
    student = make_interaction(bot, user_id=7)
    run(ask.ask.callback(ask, student, question="thanks!"))
    (message,) = sent(student)
    assert message["view"].children == []
    assert message["embed"].description.startswith("You're welcome")
    assert bot.tutor.ask.unanswered("10") == []


def test_admin_resolve_answers_the_queue_for_everyone(bot):
    ask, admin = cog(bot, "Ask"), cog(bot, "Admin")
    student = make_interaction(bot, user_id=7)
    run(ask.ask.callback(ask, student, question="when are the office hours for this class"))
    (group,) = bot.tutor.ask.unanswered("10")
    teacher = make_interaction(bot, user_id=1, manage_guild=True)
    listing = make_interaction(bot, user_id=1, manage_guild=True)
    run(admin.unanswered.callback(admin, listing, limit=25))
    assert f"#{group.id}" in sent(listing)[0]["content"]
    run(
        admin.resolve.callback(
            admin, teacher, question=group.id, card=None, answer="Thursdays 2-4 pm, room B214"
        )
    )
    assert sent(teacher)[0]["content"].startswith("Resolved 1 queued question(s)")
    again = make_interaction(bot, user_id=9)
    run(ask.ask.callback(ask, again, question="when are the office hours for this class"))
    assert "room B214" in sent(again)[0]["embed"].description
    choices = run(admin.card_choices(teacher, "token"))
    assert "tokenization" in [c.value for c in choices]
    with pytest.raises(NotInstructor):
        for check in admin.resolve.checks:
            check(make_interaction(bot, user_id=9))
