import io
import re

from bot.terminal.console import ConsoleSession, run_chat


def test_plain_question_and_slash_ask_are_the_same(tutor):
    session = ConsoleSession(tutor)
    plain = session.handle("what does the attention mask do with padding?")
    slash = session.handle("/ask what does the attention mask do with padding?")
    # the same answer; only the id under it (to flag it) differs
    assert plain.rsplit("\n", 1)[0] == slash.rsplit("\n", 1)[0]
    assert plain.endswith("/flag 1 tells the instructor.")
    assert slash.endswith("/flag 2 tells the instructor.")
    assert "Attention masks and padding" in plain
    assert "Sources:" in plain


def test_channel_and_user_switch(tutor):
    session = ConsoleSession(tutor)
    assert session.handle("/channel #team3") == "Now in #team3."
    assert session.handle("/user @ana") == "Now speaking as ana."
    session.handle("can bert read handwriting")
    (group,) = tutor.ask.unanswered("console")
    (row,) = group.questions
    assert (row.channel, row.asker) == ("team3", "ana")


def test_errors_are_messages_not_crashes(tutor):
    session = ConsoleSession(tutor)
    assert "Unknown command /frobnicate" in session.handle("/frobnicate now")
    assert "type a question" in session.handle("/ask    ")
    assert "usage: /ingest" in session.handle("/ingest")
    assert "no such file" in session.handle('/ingest "unclosed')
    assert session.handle("   ") == ""
    assert "/ask" in session.handle("/help") and "/quit" in session.handle("/help")


def test_unanswered_command(tutor):
    session = ConsoleSession(tutor)
    assert session.handle("/unanswered") == "No unanswered questions."
    session.handle("does the tokenizer know klingon")
    assert "does the tokenizer know klingon" in session.handle("/unanswered")


def test_flag_and_resolve_in_the_console(tutor):
    from bot.app.context import Actor

    student = ConsoleSession(tutor, Actor("ana"))
    assert student.handle("thanks!").startswith("You're welcome")  # small talk: not queued
    student.handle("when are the office hours for this class")
    student.handle("When are office hours for this class?")
    answered = student.handle("what is the cls token for?")
    assert "/flag 3" in answered
    assert "is with the instructor now" in student.handle("/flag")
    queue = student.handle("/unanswered")
    assert "x2  when are" in queue.lower()
    assert "not what ana asked: answered with Special tokens" in queue
    assert "Only the instructor" in student.handle('/unanswered resolve 1 --answer "Thursdays"')
    teacher = ConsoleSession(tutor, Actor("prof", instructor=True))
    done = teacher.handle('/unanswered resolve 1 --answer "Thursdays 2-4 pm, room B214"')
    assert done.startswith("Resolved 2 queued questions")
    done = teacher.handle("/unanswered resolve 3 --card special-tokens")
    assert "the card Special tokens" in done
    assert teacher.handle("/unanswered") == "No unanswered questions."
    assert "room B214" in student.handle("when are the office hours for this class")
    assert "usage: /unanswered resolve" in teacher.handle("/unanswered resolve 1")


def test_chat_loop_reads_until_quit(tutor):
    stdin = io.StringIO("what is lora?\n/quit\nnever read\n")
    stdout = io.StringIO()
    assert run_chat(tutor, stdin=stdin, stdout=stdout) == 0
    out = stdout.getvalue()
    assert out.count("tutor> ") == 1
    assert "LoRA" in out


def test_more_shows_the_whole_card_of_the_last_answer(tutor):
    session = ConsoleSession(tutor)
    assert "Ask a question first" in session.handle("/more")
    answer = session.handle("how many trainable parameters does lora add?")
    assert "The whole card: /more" in answer and "Key points:" not in answer
    card = session.handle("/more")
    assert card.startswith("LoRA") and "Key points:" in card and "Common mistakes:" in card
    assert session.handle("/more attention").startswith("Attention")  # any card, by name
    assert "No concept called 'klingon'" in session.handle("/more klingon")


def test_the_console_reports_what_the_last_shutdown_cut_short(settings, encoder, clock):
    from bot.app.tutor import Tutor
    from bot.terminal.console import _report_recovered
    from tests.helpers import crash, right_answer, who

    first = Tutor(settings, encoder=encoder, clock=clock)
    opened = first.quizzes.start(who("teacher", instructor=True), team=1, count=3, seconds=30)
    first.quizzes.answer(who("ana"), right_answer(opened, first))
    crash(first)
    second = Tutor(settings, encoder=encoder, clock=clock)
    try:
        out = io.StringIO()
        _report_recovered(second, out)
        assert out.getvalue() == (
            f"Note: quiz #{opened.session_id} in #class was interrupted at question 1/3; its 1 "
            "answer kept (/quiz resume goes on, /quiz stop ends it).\n"
        )
    finally:
        second.close()


def test_help_names_every_action_of_every_command():
    """/help's one line per command lists all its actions (quiz resume, jigsaw grid, ...)."""
    import argparse

    from bot.terminal.console import build_parser
    from bot.terminal.spec import subcommands

    missing = {}
    for name, sub in subcommands(build_parser()).items():
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                words = set(re.sub(r"[,:;()]", " ", sub.description).split())
                left = [a for a in action.choices if a not in words]
                if left:
                    missing[name] = left
    assert missing == {}
