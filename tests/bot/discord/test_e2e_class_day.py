"""A class day through Discord, end to end: the real bot process (`tutor run`) and discord.py,
against the stand-in for Discord (tests/bot/discord/standin). Every assertion is on what
Discord received: the messages people saw, who saw them, and what Discord refused.

The tests run in the order of a class day and share one bot process (see conftest.py).
"""

from __future__ import annotations

import re
import time

import pytest

from knowledge.cards import load_cards
from skills.course import JIGSAW_CONCEPTS
from tests.bot.discord.conftest import BURST_STUDENTS, LONG_QUESTION
from tests.bot.discord.standin.harness import Discord, Reply
from tests.bot.discord.standin.limits import NO_ALLOWED_MENTIONS

pytestmark = pytest.mark.e2e

# A Discord id shown as digits (a mention such as <#123…> shows as the channel's name).
RAW_ID = re.compile(r"(?<![<#@&!:\d])\d{17,20}\b(?!>)")
SERVER_PATH = re.compile(r"(/tmp/|/home/|/root/|/work/|/var/|pytest-of-|\.png\b.*/|[A-Z]:\\)")


def assert_clean(reply: Reply) -> None:
    """Nothing refused, and nothing a person should never see."""
    assert reply.refused() == [], [r.problems for r in reply.refused()]
    text = reply.text()
    assert not RAW_ID.search(text), text
    assert not SERVER_PATH.search(text), text
    assert "[#" not in text, text  # no channel-id prefixes


def is_question(record) -> bool:
    return bool(record.embeds) and (record.embeds[0].get("title") or "").startswith("Question ")


def question_kind(discord: Discord, record) -> str:
    labels = [b.get("label") for b in discord.buttons(discord.message(record.message_id))]
    return "choice" if labels and labels[0] == "A" else "form"


# --- questions -------------------------------------------------------------------------------


def test_first_question_after_start_up_is_answered_at_once(discord_class, first):
    reply = discord_class.slash(
        "bea", first, "class", "ask", {"question": "What does the attention mask do with padding?"}
    )
    assert_clean(reply)
    assert reply.latency < 3.0  # Discord's window for the first response
    answered = reply.shown()[0].t - reply.event_t
    assert answered < 2.0, f"the first answer took {answered:.1f} s: the models were not warm"
    (embed,) = reply.shown()[0].embeds
    assert embed["title"] == "Attention mask" or "attention" in embed["title"].lower()
    assert "Sources" in [f["name"] for f in embed["fields"]]
    assert not reply.private  # a study question is answered in the channel


def test_a_question_by_mention_and_by_direct_message(discord_class, first):
    mentioned = discord_class.say(
        "cai", first, "class", "what is LoRA?", mention_bot=True, label="mention"
    )
    assert_clean(mentioned)
    assert "LoRA" in mentioned.text()
    direct = discord_class.say("dan", None, None, "what is tokenization?", label="direct message")
    assert_clean(direct)
    assert "token" in direct.text().lower()
    assert not any("CommandNotFound" in line for line in discord_class.log_problems())


def test_plain_chat_triggers_and_their_cooldown(discord_class, first):
    shown = discord_class.say(
        "bea", first, "lab", "tokenize this: unhappiness", label="chat trigger"
    )
    assert_clean(shown)
    assert "##" in shown.text()  # WordPiece continuations
    again = discord_class.say("bea", first, "lab", "tokenize this: again", label="chat trigger")
    assert "Slow down" in again.text()


# --- demos -----------------------------------------------------------------------------------


def test_tokenize_pad_and_calc(discord_class, first):
    tokens = discord_class.slash(
        "bea", first, "lab", "tokenize", {"text": "Tokenizers split words"}
    )
    assert_clean(tokens)
    assert "WordPiece" in tokens.text() and tokens.text().startswith("```")
    pad = discord_class.slash(
        "cai", first, "lab", "pad", {"sentences": "a short one ; a much longer sentence here"}
    )
    assert_clean(pad)
    assert "[PAD]" in pad.text()
    calc = discord_class.slash(
        "dan", first, "lab", "calc", {"expression": "softmax 2.5 1 0.5 1.5 T=2"}
    )
    assert_clean(calc)
    assert "softmax" in calc.text().lower()


def test_tokenizer_names_come_from_the_allow_list_only(discord_class, first):
    suggested = discord_class.autocomplete(
        "bea", first, "lab", "tokenize", {"text": "x", "tokenizer": ""}, "tokenizer"
    )
    assert_clean(suggested)
    assert 1 <= len(suggested.choices) <= 25
    time.sleep(2)  # the model cooldown
    refusals = []
    for i, probe in enumerate(["/etc", "/etc/no-such-folder-here", "../../etc"]):
        who = ("bea", "cai", "dan")[i]
        reply = discord_class.slash(
            who, first, "lab", "tokenize", {"text": "x", "tokenizer": probe}
        )
        assert_clean(reply)
        assert reply.private, "a refusal is the person's own business"
        refusals.append(reply.text().replace(probe, "NAME"))
    # Whether a path exists on the server is nobody's business: the same refusal for each.
    assert refusals[0] == refusals[1] == refusals[2], refusals
    assert "Unknown tokenizer" in refusals[0] and "folder" not in refusals[0]


def test_mask_with_the_allow_list_and_the_model_folder(discord_class, first):
    time.sleep(2)  # the model cooldown since the last demo
    default = discord_class.slash(
        "bea", first, "lab", "mask", {"text": "The [MASK] sat on the mat."}
    )
    assert_clean(default)
    # Not available offline: said in Discord's terms, never the machine's settings.
    assert "instructor can install it" in default.text(), default.text()
    assert "TUTOR_MODEL_DIR" not in default.text() and "HF_HUB_OFFLINE" not in default.text()
    local = discord_class.slash(
        "cai", first, "lab", "mask", {"text": "the [MASK] sat on the mat .", "model": "tiny-mlm"}
    )
    assert_clean(local)
    assert "cat" in local.text()
    probe = discord_class.slash(
        "dan", first, "lab", "mask", {"text": "The [MASK] sat.", "model": "/tmp"}
    )
    assert_clean(probe)
    assert probe.private and "Unknown model" in probe.text()


# --- quizzes ---------------------------------------------------------------------------------


def test_a_student_cannot_run_instructor_commands(discord_class, first):
    for command, options in [("quiz start", {"team": "team3"}), ("admin unanswered", {})]:
        reply = discord_class.slash("bea", first, "team3", command, options)
        assert_clean(reply)
        assert reply.private and "Only the instructor" in reply.text()


def test_a_quiz_in_class(discord_class, first):
    d = discord_class
    for student in ("bea", "cai", "dan"):
        assert_clean(d.slash(student, first, "team3", "quiz join", {"team": "team3"}))
    since = d.mark()
    # The whole pool of nine, in the quiz's own random order: three choices among forms, so
    # the first choice always has a question after it.
    started = d.slash(
        "ana", first, "team3", "quiz start", {"team": "team3", "questions": 9, "seconds": 6}
    )
    assert_clean(started)
    assert not started.private and "Quiz #" in started.text()

    def answer_the_choice(choice) -> None:
        """Three students click, one of them twice; closing disables the buttons."""
        number = choice.embeds[0]["title"].split()[1].split("/")[0]
        for student, letter in (("bea", "A"), ("cai", "B"), ("dan", "A")):
            button = d.button(choice.message_id, letter)
            click = d.click(student, first, "team3", choice.message_id, button["custom_id"])
            assert_clean(click)
            assert click.private and "Recorded" in click.text()
        double = d.click(
            "bea", first, "team3", choice.message_id, d.button(choice.message_id, "B")["custom_id"]
        )
        assert_clean(double)
        assert double.private and "already answered" in double.text()
        closed = d.wait_post(
            first, "team3", since, lambda r: f"Question {number}:" in r.content, timeout=15
        )
        assert "3" in closed.content
        assert d.wait_for(
            lambda: all(b.get("disabled") for b in d.buttons(d.message(choice.message_id))), 5
        ), d.message(choice.message_id)["components"]

    def answer_the_form(form) -> None:
        """One opens the form and answers, one more too, and one submits after it closed."""
        form_number = form.embeds[0]["title"].split()[1].split("/")[0]
        answer_button = d.button(form.message_id, "Answer")["custom_id"]
        opened = {
            s: d.click(s, first, "team3", form.message_id, answer_button)
            for s in ("bea", "cai", "dan")
        }
        for reply in opened.values():
            assert reply.refused() == [] and reply.modal is not None
        for student in ("bea", "cai"):
            submitted = d.submit(
                student, first, "team3", opened[student].modal, "42", message_id=form.message_id
            )
            assert_clean(submitted)
            assert submitted.private and "Recorded" in submitted.text(), submitted.text()
        d.wait_post(
            first, "team3", since, lambda r: f"Question {form_number}:" in r.content, timeout=15
        )
        stale = d.submit(
            "dan", first, "team3", opened["dan"].modal, "42", message_id=form.message_id
        )
        assert_clean(stale)
        assert stale.private and "has closed" in stale.text()

    # Each kind once, in whichever order the quiz asks them; the instructor skips the rest.
    after = since
    choice = None
    done: set[str] = set()
    late_click_checked = False
    for _ in range(9):
        question = d.wait_post(first, "team3", after, is_question, timeout=15)
        after = d.mark()
        if choice is not None and not late_click_checked:
            # A late click, in the first seconds of the next question, answers nothing.
            late = d.click(
                "cai",
                first,
                "team3",
                choice.message_id,
                d.button(choice.message_id, "C")["custom_id"],
            )
            assert_clean(late)
            assert late.private and "has closed" in late.text()
            late_click_checked = True
        kind = question_kind(d, question)
        if kind not in done:
            done.add(kind)
            if kind == "choice":
                choice = question
                answer_the_choice(question)
            else:
                answer_the_form(question)
        else:
            assert_clean(d.slash("ana", first, "team3", "quiz skip"))
        if done == {"choice", "form"} and late_click_checked:
            break
    else:
        raise AssertionError(f"the quiz ended with {done} asked, late click {late_click_checked}")

    stopped_at = d.mark()
    stop = d.slash("ana", first, "team3", "quiz stop")
    assert_clean(stop)
    results = d.wait_post(first, "team3", stopped_at, lambda r: "Scores" in r.content, timeout=10)
    assert not RAW_ID.search(results.content)
    # The class sees who did well, never who did badly; each sees their own result privately.
    mine = d.button(results.message_id, "My result")["custom_id"]
    for student in ("bea", "cai", "dan"):
        own = d.click(student, first, "team3", results.message_id, mine)
        assert_clean(own)
        assert own.private and "Your result in quiz #" in own.text(), own.text()
        right = re.search(r"(\d+) of \d+ answers? right", own.text())
        assert right, own.text()
        named = student.capitalize() in results.content
        assert named == (int(right[1]) > 0), (student, own.text(), results.content)
    assert not re.search(r"\d+/\d+ correct|\(0 right", results.content), results.content
    for post in d.posts(first, "team3", since):
        assert not post.content.startswith("[#"), post.content  # no channel-id prefix
        if is_question(post):  # every question's buttons end disabled
            assert d.wait_for(
                lambda p=post: all(b.get("disabled") for b in d.buttons(d.message(p.message_id))), 5
            )
    board = d.slash("cai", first, "team3", "quiz leaderboard")
    assert_clean(board)
    assert "Fay" not in board.text() and "took part" in board.text()
    for name in ("Bea", "Cai", "Dan"):  # one quiz so far: the same people named
        assert (name in board.text()) == (name in results.content), board.text()


def test_a_burst_of_on_time_answers_at_the_deadline_all_count(discord_class):
    """60 free-text answers sent 0.7 s before a question's deadline: far more than the bot's
    worker threads, and each is graded by meaning (an embedding), so most wait for a worker
    past the deadline. Each is judged by when it arrived."""
    d = discord_class
    students = BURST_STUDENTS
    crowd = d.server.guilds["Burst class"]  # a class of its own (see conftest.py)
    since = d.mark()
    seconds = 10
    started = d.slash(
        "ana", crowd, "team2", "quiz start", {"team": "team1", "questions": 9, "seconds": seconds}
    )
    assert_clean(started)
    for _ in range(9):
        question = d.wait_post(crowd, "team2", since, is_question, timeout=15)
        if "write a sentence" in str(question.embeds[0]):
            break
        since = d.mark()
        assert_clean(d.slash("ana", crowd, "team2", "quiz skip"))
    else:
        raise AssertionError("no free-text question came")
    number = question.embeds[0]["title"].split()[1].split("/")[0]
    opened = d.click(
        students[0],
        crowd,
        "team2",
        question.message_id,
        d.button(question.message_id, "Answer")["custom_id"],
    )
    assert opened.modal is not None
    replies = d.submit_burst(
        students,
        crowd,
        "team2",
        opened.modal,
        "42",
        message_id=question.message_id,
        at=question.t + seconds - 0.7,
    )
    refused = {u: r.text() for u, r in replies.items() if "Recorded" not in r.text()}
    assert refused == {}, f"{len(refused)} of 60 on-time answers refused: {refused}"
    closed = d.wait_post(
        crowd, "team2", since, lambda r: f"Question {number}:" in r.content, timeout=30
    )
    assert "60" in closed.content, closed.content
    assert_clean(d.slash("ana", crowd, "team2", "quiz stop"))


def test_a_user_error_after_a_public_defer_stays_private(discord_class, first):
    d = discord_class
    assert_clean(
        d.slash(
            "ana", first, "team4", "quiz start", {"team": "team4", "questions": 1, "seconds": 30}
        )
    )
    again = d.slash(
        "ana", first, "team4", "quiz start", {"team": "team4", "questions": 1, "seconds": 30}
    )
    assert_clean(again)
    assert again.private and "already running" in again.text()
    assert all(not r.notes for r in again.records()), [r.notes for r in again.records()]
    assert_clean(d.slash("ana", first, "team4", "quiz stop"))


def test_a_blank_question_is_answered_privately(discord_class, first):
    blank = discord_class.slash("ana", first, "class", "ask", {"question": "   "})
    assert_clean(blank)
    assert blank.private and "Please type a question" in blank.text()
    assert not blank.deferred  # no public "thinking…" that then vanishes


# --- the jigsaw ------------------------------------------------------------------------------


def map_team_channels(d: Discord, guild, teacher: str = "ana") -> None:
    """The instructor maps each team to its channel (teamN), as before a jigsaw."""
    for team in range(1, 6):
        channel = guild.channels[f"team{team}"]
        mapped = d.slash(
            teacher,
            guild,
            "class",
            "admin team-channel",
            {"team": f"team{team}", "channel": channel["id"]},
            resolved={"channels": {channel["id"]: {**channel, "permissions": "0"}}},
        )
        assert_clean(mapped)


def test_the_jigsaw_to_the_mastery_grid(discord_class, first):
    d = discord_class
    timings = {"learn": 0.5, "prepare": 0.5, "teach": 0.5, "quiz": 0.5}
    unmapped = d.slash("ana", first, "class", "jigsaw start", timings).text()
    assert "missing team1, team2, team3, team4, team5" in unmapped, unmapped
    assert "/admin team-channel" in unmapped and "--channels" not in unmapped
    map_team_channels(d, first)
    since = d.mark()
    started = d.slash("ana", first, "class", "jigsaw start", timings)
    assert_clean(started)
    assert "learn" in started.text().lower()
    titles = {c.id: c.title for c in load_cards()}
    for team in range(1, 6):  # each team's material in its own channel, a card at a time
        d.wait_post(first, f"team{team}", since, lambda r: "Teach-back" in r.content, timeout=10)
        posts = d.posts(first, f"team{team}", since)
        assert f"Team {team}" in posts[0].content and len(posts) > len(JIGSAW_CONCEPTS[team])
        material = "\n".join(post.content for post in posts)
        assert all(titles[concept] in material for concept in JIGSAW_CONCEPTS[team])
        assert material.count("Analogy:") == len(JIGSAW_CONCEPTS[team])
        refused = [r for r in d.records()[since:] if r.refused and r.kind == "channel_message"]
        assert refused == [], [r.problems for r in refused]
    assert "~95%" in "\n".join(post.content for post in d.posts(first, "team2", since))
    for _ in range(7):  # the instructor moves on: prepare, five teach-backs, the quiz
        assert_clean(d.slash("ana", first, "class", "jigsaw next"))
    question = d.wait_post(first, "class", since, is_question, timeout=15)
    if question_kind(d, question) == "choice":
        answered = d.click(
            "bea",
            first,
            "class",
            question.message_id,
            d.button(question.message_id, "A")["custom_id"],
        )
    else:
        form = d.click(
            "bea",
            first,
            "class",
            question.message_id,
            d.button(question.message_id, "Answer")["custom_id"],
        )
        answered = d.submit(
            "bea", first, "class", form.modal, "attention", message_id=question.message_id
        )
    assert_clean(answered)
    assert "Recorded" in answered.text()
    finished_at = d.mark()
    assert_clean(d.slash("ana", first, "class", "jigsaw next"))
    grid = d.wait_post(
        first, "class", finished_at, lambda r: "Mastery grid" in r.content, timeout=20
    )
    assert [f["filename"] for f in grid.files] and grid.files[0]["data"][:4] == b"\x89PNG"
    assert not SERVER_PATH.search(grid.content), grid.content
    # The same grid asked for by command: 20 concepts x 5 teams is over 2,000 characters,
    # and the reply went out unsplit (Discord refused it; the instructor got an apology).
    asked = d.slash("ana", first, "class", "jigsaw grid")
    assert_clean(asked)
    assert "Mastery grid" in asked.text() and "went wrong" not in asked.text()


def test_jigsaw_stop_replies_with_the_stopped_activity(discord_class, first):
    d = discord_class
    timings = {"learn": 1, "prepare": 1, "teach": 1, "quiz": 1}
    assert_clean(d.slash("ana", first, "class", "jigsaw start", timings))
    stopped = d.slash("ana", first, "class", "jigsaw stop")
    assert_clean(stopped)
    assert "Activity #" in stopped.text() and "stopped during learn" in stopped.text()


# --- instructors' tools ----------------------------------------------------------------------


def test_ingest_a_document_then_ask_about_it(discord_class, first):
    d = discord_class
    text = (
        b"# Lab safety\n\nThe zorblat protocol says every student saves a checkpoint before "
        b"changing the learning rate. The zorblat protocol was written for this class.\n"
    )
    upload = d.server.attachment("lab-notes.md", text, "text/markdown")
    ingested = d.slash(
        "ana",
        first,
        "class",
        "admin ingest",
        {"document": upload["id"]},
        resolved={"attachments": {upload["id"]: upload}},
        timeout=60,
    )
    assert_clean(ingested)
    assert ingested.private and "lab-notes.md" in ingested.text()
    asked = d.slash(
        "bea", first, "class", "ask", {"question": "What is the zorblat protocol?"}, timeout=90
    )
    assert_clean(asked)
    (embed,) = asked.shown()[0].embeds
    assert embed["title"] != "Not sure" and "lab-notes.md" in embed["title"], embed["title"]
    unsure = d.slash("cai", first, "class", "ask", {"question": "Can BERT read handwriting?"})
    assert "not sure" in unsure.text().lower()
    # A question that mentions someone is kept with their name, never a raw id.
    bea = d.server.people["bea"].id
    d.say(
        "dan",
        first,
        "class",
        f"<@{bea}> and I wonder: can BERT read handwriting?",
        mention_bot=True,
    )
    queue = d.slash("ana", first, "class", "admin unanswered")
    assert_clean(queue)
    assert queue.private and "Cai" in queue.text() and "handwriting" in queue.text()
    assert "@Bea and I wonder" in queue.text() and "‹@" not in queue.text(), queue.text()
    # Discord's own words for what to do next: no command-line syntax.
    assert "/admin resolve" in queue.text() and "--card" not in queue.text()
    digest = d.slash("ana", first, "class", "admin digest")
    assert_clean(digest)
    assert "Class digest of PLM class" in digest.text(), digest.text()
    # A mistake's hint in Discord's terms: /jigsaw taught outside a team's channel.
    taught = d.slash("bea", first, "class", "jigsaw taught", {"concept": "attention"})
    assert_clean(taught)
    assert "--team" not in taught.text(), taught.text()


def test_help_for_students_and_for_the_instructor(discord_class, first):
    d = discord_class
    student = d.slash("bea", first, "class", "help")
    assert_clean(student)
    assert student.private
    text = student.text()
    for expected in ("/ask", "/quiz join", "/review start", "quiz", "jigsaw"):
        assert expected in text, expected
    assert "/quiz start" not in text and "Class-day checklist" not in text
    teacher = d.slash("ana", first, "class", "help")
    assert_clean(teacher)
    assert "/quiz start" in teacher.text() and "/admin team-channel" in teacher.text()
    assert "Class-day checklist" in teacher.text()


# --- fine-tuning -----------------------------------------------------------------------------


def test_a_fine_tune_to_the_loss_curve(discord_class, first):
    d = discord_class
    since = d.mark()
    started = d.slash("dan", first, "lab", "finetune start", {"epochs": 1})
    assert_clean(started)
    assert "queued" in started.text()
    done = d.wait_post(
        first, "lab", since, lambda r: "done: dev accuracy" in r.content, timeout=180
    )
    assert done.files and done.files[0]["data"][:4] == b"\x89PNG", "the loss curve is attached"
    alt = done.files[0].get("description") or ""
    assert alt.startswith("Line chart of the training loss per step") and "dev accuracy" in alt, alt
    for post in d.posts(first, "lab", since):
        assert not SERVER_PATH.search(post.text()), post.text()
        assert not RAW_ID.search(post.content), post.content
    jobs = d.slash("dan", first, "lab", "finetune jobs")
    assert_clean(jobs)
    assert "succeeded" in jobs.text() and "Dan" in jobs.text()
    board = d.slash("dan", first, "lab", "finetune leaderboard")
    assert_clean(board)


# --- what Discord refuses, and what it asks ---------------------------------------------------


def test_long_texts_fit_discord(discord_class, second):
    d = discord_class
    jobs = d.slash("eve", second, "class", "finetune jobs")  # many failures with long reasons
    assert_clean(jobs)
    assert "failed" in jobs.text() or jobs.files()
    # Each class counts its own jobs: the evening class's 18 past ones are #1 to #18.
    listed = jobs.text() + "".join(f["data"].decode() for f in jobs.files())
    assert re.search(r"^#18 failed", listed, re.M) and "#19" not in listed, listed
    since = d.mark()
    started = d.slash(
        "eve", second, "team5", "quiz start", {"team": "team5", "questions": 10, "seconds": 30}
    )
    assert_clean(started)
    # The evening class's first quiz is its Quiz #1, though the first class ran several today.
    assert started.text().startswith("Quiz #1:"), started.text()
    # The instructor skips to the imported question with the long choices.
    for _ in range(11):
        question = d.wait_post(second, "team5", since, is_question, timeout=15)
        if "imported" in question.embeds[0]["description"]:
            break
        since = d.mark()
        assert_clean(d.slash("eve", second, "team5", "quiz skip"))
    else:
        raise AssertionError("the imported question never came")
    shown = question.text()
    full = "".join(f["data"].decode() for f in question.files)  # what had to be cut, in full
    for choice in LONG_QUESTION["choices"]:
        assert choice in shown or choice in full, choice
    assert_clean(d.slash("eve", second, "team5", "quiz stop"))


def test_a_refused_post_is_logged_and_replaced(discord_class, first):
    d = discord_class
    lab = first.channels["lab"]["id"]
    d.server.fail_next(
        "channel_message", channel=lab, status=400, code=50035, message="Invalid Form Body"
    )
    since = d.mark()
    assert_clean(
        d.slash("ana", first, "lab", "quiz start", {"team": "team1", "questions": 1, "seconds": 20})
    )
    shown = d.wait_post(first, "lab", since, timeout=10)
    assert "Question 1/1" in shown.text()  # the question, as plain text
    assert d.wait_for(lambda: "refused" in d.log(), 5), "the refusal is in the log"
    if d.buttons(d.message(shown.message_id)):  # still answerable
        assert d.buttons(d.message(shown.message_id))[0]["custom_id"]
    assert_clean(d.slash("ana", first, "lab", "quiz stop"))


def test_rate_limits_are_waited_out(discord_class, first):
    d = discord_class
    lab = first.channels["lab"]["id"]
    d.server.fail_next("channel_message", channel=lab, status=429, retry_after=0.6)
    since = d.mark()
    assert_clean(
        d.slash("ana", first, "lab", "quiz start", {"team": "team2", "questions": 1, "seconds": 20})
    )
    question = d.wait_post(first, "lab", since, is_question, timeout=10)
    limited = [r for r in d.records()[since:] if r.status == 429]
    assert limited and question.t - limited[0].t >= 0.55
    assert_clean(d.slash("ana", first, "lab", "quiz stop"))
    d.server.fail_next("followup", status=429, retry_after=0.5)
    time.sleep(2)
    asked = d.slash("cai", first, "lab", "ask", {"question": "What is a tokenizer?"})
    assert asked.shown() and [r.status for r in asked.records()].count(429) == 1


# --- the whole day ---------------------------------------------------------------------------


def test_nothing_the_bot_sent_all_day_could_ping_anyone(discord_class):
    """Every message, followup and edit of the day (timers' posts too) says whom it may ping."""
    unsafe = [
        (r.kind, r.text()[:60]) for r in discord_class.records() if NO_ALLOWED_MENTIONS in r.notes
    ]
    assert unsafe == []
