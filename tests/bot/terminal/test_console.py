import io

from bot.terminal.console import ConsoleSession, run_chat


def test_plain_question_and_slash_ask_are_the_same(tutor):
    session = ConsoleSession(tutor)
    plain = session.handle("what does the attention mask do?")
    slash = session.handle("/ask what does the attention mask do?")
    assert plain == slash
    assert "Attention masks and padding" in plain
    assert "Sources:" in plain


def test_channel_and_user_switch(tutor):
    session = ConsoleSession(tutor)
    assert session.handle("/channel #team3") == "Now in #team3."
    assert session.handle("/user @ana") == "Now speaking as ana."
    session.handle("what is the capital of australia")
    (row,) = tutor.ask.unanswered("console")
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
    session.handle("tell me a joke")
    assert "tell me a joke" in session.handle("/unanswered")


def test_chat_loop_reads_until_quit(tutor):
    stdin = io.StringIO("what is lora?\n/quit\nnever read\n")
    stdout = io.StringIO()
    assert run_chat(tutor, stdin=stdin, stdout=stdout) == 0
    out = stdout.getvalue()
    assert out.count("tutor> ") == 1
    assert "LoRA" in out
