"""What the instructor and a student read from bot/render/insights.py: the class digest (no
names), one's own progress, the grades export, forgetting a person and closing a term."""

from pathlib import Path

from bot.app.insights import (
    ConceptDigest,
    ConceptProgress,
    Digest,
    GradesExport,
    Progress,
    Revisit,
    WrongAnswer,
)
from bot.app.privacy import ForgetReport, TermReport
from bot.render.insights import (
    render_digest,
    render_forget,
    render_grades_export,
    render_progress,
    render_term,
)

MASKS = ConceptDigest(
    "masks",
    "Attention masks",
    5,
    2,
    8,
    0.25,
    [
        WrongAnswer(
            "mask-1", "What does the attention mask do?", "It hides padding.", "it adds   noise", 3
        )
    ],
    not_what_i_asked=2,
)
TOKENS = ConceptDigest("tokens", "Tokens and tokenizers", 7, 1, 0, None, [], not_what_i_asked=0)


def digest(**changes) -> Digest:
    fields = {
        "server": "morning",
        "since": "2026-11-27T00:00:00+00:00",
        "until": "2026-12-04T00:00:00+00:00",
        "questions": 12,
        "declined": 3,
        "declined_unmatched": 1,
        "off_topic": 2,
        "answers": 8,
        "concepts": [MASKS, TOKENS],
        "revisit": [
            Revisit(
                "masks",
                "Attention masks",
                "25% quiz credit over 8 answers; 2 questions declined",
                "The mask tells attention which tokens are real.",
                ("1 for real tokens, 0 for padding.",),
                (),
            )
        ],
        "feedback_recorded": True,
        "chart": Path("/data/digest/morning.png"),
        "alt_text": "a chart",
    }
    return Digest(**(fields | changes))


def test_the_digest_counts_tables_wrong_answers_and_what_to_revisit():
    assert render_digest(digest(), where="Morning class").splitlines() == [
        "Class digest of Morning class, 2026-11-27 to 2026-12-04",
        "12 questions asked, 3 declined by the bot (1 matched no concept); 8 graded quiz "
        "answers. 2 off-topic questions declined, not queued.",
        "",
        "concept                asked  declined  quiz accuracy",
        "---------------------  -----  --------  -------------",
        "Attention masks        5      2         25% (n=8)",
        "Tokens and tokenizers  7      1         -",
        "",
        "Common wrong answers (grouped by meaning; count, then an example):",
        "  Attention masks",
        "    3 x “it adds noise”  to: What does the attention mask do?",
        "        right: It hides padding.",
        "",
        "Answers marked “not what I asked”: Attention masks 2",
        "",
        "Revisit first:",
        "1. Attention masks: 25% quiz credit over 8 answers; 2 questions declined",
        "   Card: The mask tells attention which tokens are real.",
        "   • 1 for real tokens, 0 for padding.",
        "",
        "Chart: /data/digest/morning.png",
    ]


def test_the_digest_never_names_a_student():
    text = render_digest(digest(), where="Morning class")
    assert "Ana" not in text and "@" not in text


def test_a_digest_without_cards_or_feedback_or_chart():
    quiet = digest(
        declined_unmatched=0,
        off_topic=0,
        concepts=[TOKENS],
        feedback_recorded=False,
        chart=None,
    )
    lines = render_digest(quiet, where="Morning class", cards=False).splitlines()
    assert lines[1] == "12 questions asked, 3 declined by the bot; 8 graded quiz answers."
    assert "Common wrong answers" not in "\n".join(lines)
    assert lines[-4:] == [
        "Answers marked “not what I asked”: not recorded by this version yet.",
        "",
        "Revisit first:",
        "1. Attention masks: 25% quiz credit over 8 answers; 2 questions declined",
    ]


def test_a_period_without_activity():
    empty = digest(
        questions=0, declined=0, declined_unmatched=0, off_topic=0, answers=0, concepts=[]
    )
    assert render_digest(empty, where="Evening class").splitlines() == [
        "Class digest of Evening class, 2026-11-27 to 2026-12-04",
        "0 questions asked, 0 declined by the bot; 0 graded quiz answers.",
        "",
        "Nothing happened in this period.",
    ]


def test_feedback_recorded_but_nobody_marked_an_answer():
    lines = render_digest(digest(concepts=[TOKENS]), where="x").splitlines()
    assert "Answers marked “not what I asked”: none" in lines


def test_a_students_own_progress_with_bars_and_reviews_due():
    progress = Progress(
        "Ana Lima",
        [
            ConceptProgress("tokens", "Tokens", 4, 0.75, 0),
            ConceptProgress("lora", "LoRA", 2, 0.0, 1),
        ],
        3,
    )
    assert render_progress(progress).splitlines() == [
        "Your progress, Ana Lima (only you see this):",
        "concept  mastery          answers  to review",
        "-------  ----------  ---  -------  ---------",
        "Tokens   ████████··  75%  4",
        "LoRA     ··········  0%   2        1",
        "3 questions in your spaced review (/review status).",
    ]
    assert render_progress(Progress("Ana Lima", [], 0)).startswith(
        "No quiz answers from you in this class yet"
    )


def test_the_grades_export_says_how_many_students_and_who_had_no_activity():
    export = GradesExport(
        Path("/tmp/grades.csv"), ["person_id", "display_name", "quiz_points"], [{}, {}], []
    )
    assert render_grades_export(export) == "Wrote 2 students to /tmp/grades.csv (3 columns)."
    roster = GradesExport(
        Path("/tmp/g.csv"), [f"c{n}" for n in range(16)], [{}] * 3, ["s-104", "Zoe Quinn"]
    )
    assert render_grades_export(roster).splitlines() == [
        "Wrote 3 students to /tmp/g.csv (16 columns).",
        "On the roster without activity in this class: s-104, Zoe Quinn.",
    ]


def test_forgetting_a_person_first_says_what_would_go():
    report = ForgetReport(
        "u-7", "Zed", False, {"questions.user": 3, "members.user": 1, "people.id": 0}
    )
    assert render_forget(report) == (
        "Zed (u-7) appears in: questions.user 3, members.user 1.\n"
        "Add --yes to remove them from every table and backup."
    )
    nowhere = ForgetReport("u-8", "Nobody", False, {"questions.user": 0})
    assert render_forget(nowhere).startswith("Nobody (u-8) appears in: nothing.")


def test_forgetting_a_person_says_what_went_with_folders_and_backups():
    report = ForgetReport(
        "u-7",
        "Zed",
        True,
        {"questions.user": 3, "people.id": 1},
        job_folders=["/data/finetune/4", "/data/finetune/9"],
        backups=["a.db", "b.db", "c.db"],
    )
    assert render_forget(report).splitlines() == [
        "Forgot Zed: removed or cleared questions.user 3, people.id 1.",
        "Deleted 2 fine-tune output folders.",
        "Also removed from 3 backup copies.",
    ]
    assert render_forget(ForgetReport("u-7", "Zed", True, {"people.id": 1})) == (
        "Forgot Zed: removed or cleared people.id 1."
    )


def test_forgetting_with_one_folder_and_one_backup_is_singular():
    report = ForgetReport("u-7", "Zed", True, {"people.id": 1}, ["/data/finetune/4"], ["a.db"])
    assert render_forget(report).splitlines()[1:] == [
        "Deleted 1 fine-tune output folder.",
        "Also removed from 1 backup copy.",
    ]


def test_closing_a_term_first_says_what_it_clears():
    report = TermReport("morning", False, {"quiz_answers": 120, "questions": 40, "leases": 0})
    assert render_term(report).splitlines() == [
        "Closing the term in morning archives and clears: quiz_answers 120, questions 40.",
        "Cards, documents, imported questions and team channels stay. Add --yes to close it.",
    ]


def test_a_closed_term_says_where_its_archive_is_and_who_was_forgotten():
    report = TermReport(
        "morning", True, {"quiz_answers": 120}, archive=Path("/data/archive/morning.db"), people=4
    )
    assert render_term(report).splitlines() == [
        "Term closed in morning. Archived at /data/archive/morning.db.",
        "Cleared: quiz_answers 120.",
        "Forgot 4 people no class names any more.",
        "A new term starts clean; course content and team channels are kept.",
    ]
    nobody = TermReport("evening", True, {}, archive=Path("/a.db"))
    assert render_term(nobody).splitlines()[1:] == [
        "Cleared: nothing.",
        "A new term starts clean; course content and team channels are kept.",
    ]


def test_long_titles_are_cut_to_forty_characters_in_the_digests_table():
    title = "Parameter-efficient fine-tuning with low-rank adapters (LoRA)"
    long = ConceptDigest("lora", title, 1, 0, 2, 0.5, [], not_what_i_asked=0)
    lines = render_digest(digest(concepts=[long], revisit=[]), where="x").splitlines()
    clipped = title[:39] + "…"
    assert lines[3] == "concept".ljust(40) + "  asked  declined  quiz accuracy"
    assert lines[5] == f"{clipped}  1      0         50% (n=2)"
    assert title not in "\n".join(lines[:6])


def test_a_long_wrong_answer_is_one_line_cut_at_sixty_characters():
    example = "it   makes\nthe model " + "ignore " * 20
    wrong = WrongAnswer("mask-1", "What does the mask do?", "It hides padding.", example, 1)
    concept = ConceptDigest("masks", "Masks", 1, 0, 1, 0.0, [wrong], not_what_i_asked=0)
    lines = render_digest(digest(concepts=[concept]), where="x").splitlines()
    shown = next(line for line in lines if line.startswith("    1 x “"))
    quoted = shown[len("    1 x “") : shown.index("”")]
    assert len(quoted) == 60 and quoted.endswith("…")
    assert quoted.startswith("it makes the model ignore ignore")


def test_a_progress_of_one_concept_at_full_mastery_without_reviews():
    progress = Progress("Bo", [ConceptProgress("tokens", "Tokens", 1, 1.0, 0)], 0)
    assert render_progress(progress).splitlines() == [
        "Your progress, Bo (only you see this):",
        "concept  mastery           answers  to review",
        "-------  ----------  ----  -------  ---------",
        "Tokens   ██████████  100%  1",
    ]
