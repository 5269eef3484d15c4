"""Slash-command and view callbacks called directly with spec_set mocks: what gets sent, and
how, for what the end-to-end tests (test_e2e_*.py) do not reach: hostile echoes, pictures, bugs
and the instructor allow-lists."""

import re

import discord
import pytest
from discord import app_commands

from bot.discord.checks import NotInstructor, is_instructor
from tests.bot.discord.conftest import make_interaction, run, sent


def cog(bot, name):
    return bot.get_cog(name)


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
    (file,) = message["files"]
    assert isinstance(file, discord.File) and file.filename == "tokens.txt"


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
    (file,) = message["files"]
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
    (file,) = message["files"]
    assert file.filename == "embed.png" and "cosine" in file.description
    assert len(message["content"]) <= 2000 and "closest" in message["content"]


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


def test_a_button_or_form_that_fails_answers_privately_with_a_reference(bot, caplog):
    from bot.discord.interact import TutorModal, TutorView, guarded

    async def failing():
        raise RuntimeError("database on fire")

    async def scenario():
        clicked, submitted, dynamic = (make_interaction(bot) for _ in range(3))
        await clicked.response.defer(ephemeral=True, thinking=True)  # then the callback fails
        await TutorView().on_error(clicked, RuntimeError("database on fire"), None)
        await TutorModal(title="Your answer").on_error(submitted, RuntimeError("on fire"))
        await guarded(dynamic, failing())
        return clicked, submitted, dynamic

    clicked, submitted, dynamic = run(scenario())
    clicked.delete_original_response.assert_awaited_once()  # no "thinking…" left behind
    for interaction in (clicked, submitted, dynamic):
        (message,) = sent(interaction)
        assert message["ephemeral"] is True and "Something went wrong" in message["content"]
        assert "fire" not in message["content"]
    assert caplog.text.count("bug ref") == 3 and "a button or form" in caplog.text


def test_fine_tune_progress_is_one_message_edited_in_place(bot):
    from unittest.mock import AsyncMock, MagicMock

    from bot.app.finetune import JobEvent

    finetune = cog(bot, "FinetuneCog")
    channel = MagicMock(spec_set=discord.TextChannel)
    posted = MagicMock(spec_set=discord.Message)
    posted.edit = AsyncMock()
    channel.send = AsyncMock(return_value=posted)
    bot.channel = lambda channel_id: channel
    for step in (1, 20, 40):
        data = {"step": step, "total_steps": 40, "loss": 0.5, "examples_per_second": 100.0}
        run(finetune.on_job_event(JobEvent(7, 7, "Ana", "10", "555", "progress", data)))
    assert channel.send.await_count == 1 and posted.edit.await_count == 2
    assert "step 40/40" in posted.edit.await_args.kwargs["content"]


def test_an_answer_has_a_not_what_i_asked_button_that_queues_it(bot):
    from bot.discord.cogs.ask import NotWhatIAsked

    ask = cog(bot, "Ask")
    student = make_interaction(bot, user_id=7)
    run(ask.ask.callback(ask, student, question="what is the cls token for?"))
    (message,) = sent(student)
    labels = [item.item.label for item in message["view"].children]
    assert labels == ["The whole card", "Not what I asked"]
    button = message["view"].children[1].item
    assert button.custom_id.startswith("ask:flag:")
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


def test_the_whole_card_is_one_click_away_also_after_a_restart(bot):
    from bot.discord.cogs.ask import MoreOfTheCard

    ask = cog(bot, "Ask")
    student = make_interaction(bot, user_id=7)
    run(ask.ask.callback(ask, student, question="how many trainable parameters does lora add?"))
    (message,) = sent(student)
    short = message["embed"].description
    button = message["view"].children[0].item
    assert button.custom_id == "ask:more:lora-and-peft"
    match = re.fullmatch(MoreOfTheCard.__discord_ui_compiled_template__, button.custom_id)
    clicked = run(MoreOfTheCard.from_custom_id(student, button, match))
    click = make_interaction(bot, user_id=8)  # anyone who reads the answer may open it
    run(clicked.callback(click))
    (page,) = sent(click)
    assert page["ephemeral"] is True
    assert "Key points:" in page["content"] and "Key points:" not in short
    assert len(page["content"]) > len(short)
    gone = run(
        MoreOfTheCard.from_custom_id(
            student,
            button,
            re.fullmatch(
                MoreOfTheCard.__discord_ui_compiled_template__, "ask:more:a-card-since-removed"
            ),
        )
    )
    late = make_interaction(bot, user_id=8)
    run(gone.callback(late))
    assert "No concept called" in sent(late)[0]["content"]


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
    assert sent(teacher)[0]["content"].startswith("Resolved 1 queued question")
    again = make_interaction(bot, user_id=9)
    run(ask.ask.callback(ask, again, question="when are the office hours for this class"))
    assert "room B214" in sent(again)[0]["embed"].description
    choices = run(admin.card_choices(teacher, "token"))
    assert "tokenization" in [c.value for c in choices]
    with pytest.raises(NotInstructor):
        for check in admin.resolve.checks:
            check(make_interaction(bot, user_id=9))


def test_an_option_discord_cannot_convert_is_a_user_mistake_not_a_bug(caplog):
    """`/admin accommodate member:` for a student who has left: discord.py raises a
    TransformerError before the command runs; it was answered with a bug apology."""
    from types import SimpleNamespace

    from discord import AppCommandOptionType, app_commands
    from discord.app_commands.transformers import MemberTransformer

    from bot.discord.interact import error_message

    interaction = SimpleNamespace(command=SimpleNamespace(qualified_name="admin accommodate"))
    gone = app_commands.TransformerError("1234", AppCommandOptionType.user, MemberTransformer())
    message = error_message(gone, interaction)
    assert "could not be found in this server" in message and "ref" not in message
    assert "Traceback" not in caplog.text and not caplog.records
