"""What the instructor and the operator read from bot/render/admin.py: an ingest report, the
unanswered queue and a resolution, the models report and downloads, backups and a restore."""

import datetime as dt
from pathlib import Path

from bot.app.backups import Backup, Restored
from bot.app.models import DemoModel, ModelsReport, ModelState
from bot.app.results import (
    IngestReport,
    IngestStatus,
    Resolution,
    UnansweredGroup,
    UnansweredQuestion,
)
from bot.render.admin import (
    render_backups,
    render_downloads,
    render_ingest,
    render_models,
    render_resolution,
    render_restored,
    render_unanswered,
)
from skills.model_download import Downloaded

# --- ingest ----------------------------------------------------------------------------------


def test_an_ingest_of_one_chunk_says_one_chunk():
    (line,) = render_ingest([IngestReport("notes.md", IngestStatus.ADDED, 1)]).splitlines()
    assert line == "✓ notes.md: added, 1 chunk"


def test_an_ingest_report_line_per_file():
    reports = [
        IngestReport("week1.md", IngestStatus.ADDED, 12),
        IngestReport("week2.md", IngestStatus.REPLACED, 3),
        IngestReport(
            "copy.md", IngestStatus.UNCHANGED, 12, "the same text is already ingested as week1.md"
        ),
        IngestReport("slides.pptx", IngestStatus.ERROR, message="unsupported file type .pptx"),
    ]
    assert render_ingest(reports).splitlines() == [
        "✓ week1.md: added, 12 chunks",
        "✓ week2.md: replaced, 3 chunks",
        "✓ copy.md: unchanged, 12 chunks (the same text is already ingested as week1.md)",
        "✗ slides.pptx: unsupported file type .pptx",
    ]
    assert render_ingest([]) == "Nothing to ingest."


def test_an_ingest_of_no_chunks_or_thousands_of_them_counts_them_in_words():
    reports = [
        IngestReport("empty.md", IngestStatus.ADDED, 0),
        IngestReport("book.md", IngestStatus.REPLACED, 12_345),
        IngestReport("scan.pdf", IngestStatus.ERROR, 7, "no text in it"),  # an error has none
    ]
    assert render_ingest(reports).splitlines() == [
        "✓ empty.md: added, 0 chunks",
        "✓ book.md: replaced, 12,345 chunks",
        "✗ scan.pdf: no text in it",
    ]


# --- the unanswered queue ----------------------------------------------------------------------


def queued(qid, asker, text, *, flagged=False, answered_with=None) -> UnansweredQuestion:
    return UnansweredQuestion(
        qid, "2026-12-04", "general", asker, text, flagged=flagged, answered_with=answered_with
    )


def test_the_queue_groups_near_duplicates_and_says_how_to_resolve():
    big = UnansweredGroup(
        [
            queued(12, "Ana", "what is a token?"),
            queued(11, "Bo", "what's a token", flagged=True, answered_with="WordPiece"),
            queued(10, "Cy", "tokens?"),
            queued(9, "Ana", "what are tokens", flagged=True),
            queued(8, "Dee", "token meaning"),
            queued(7, "Eve", "define token"),
        ]
    )
    single = UnansweredGroup([queued(7, "Fay", "why is my loss nan?")])
    text = render_unanswered([big, single], "Resolve one with: unanswered resolve ID CARD")
    assert text.splitlines() == [
        "#12      x6  what is a token?   (Ana, Bo, Cy +2; 2026-12-04)",
        "            not what Bo asked: answered with WordPiece",
        "            not what Ana asked: answered with an ingested document or the "
        "instructor's answer",
        "            also: what's a token",
        "            also: tokens?",
        "            also: what are tokens",
        "            and 2 more",
        "#7           why is my loss nan?   (Fay; 2026-12-04)",
        "Resolve one with: unanswered resolve ID CARD",
    ]


def test_an_empty_queue_says_so():
    assert render_unanswered([], "Resolve one with: ...") == "No unanswered questions."


def test_a_group_of_four_shows_all_of_them_and_names_each_asker_once():
    group = UnansweredGroup(
        [
            queued(40, "Ana", "what is attention?"),
            queued(39, "Bo", "attention??"),
            queued(38, "Ana", "explain attention"),
            queued(37, "Cy", "how does attention work"),
        ]
    )
    assert render_unanswered([group], "HINT").splitlines() == [
        "#40      x4  what is attention?   (Ana, Bo, Cy; 2026-12-04)",
        "            also: attention??",
        "            also: explain attention",
        "            also: how does attention work",
        "HINT",
    ]


def test_a_group_of_five_askers_names_three_and_counts_the_rest():
    names = ["Ana", "Bo", "Cy", "Dee", "Eve"]
    group = UnansweredGroup([queued(50 - k, n, f"q{k}") for k, n in enumerate(names)])
    lines = render_unanswered([group], "HINT").splitlines()
    assert lines[0] == "#50      x5  q0   (Ana, Bo, Cy +2; 2026-12-04)"
    assert lines[1:] == [
        "            also: q1",
        "            also: q2",
        "            also: q3",
        "            and 1 more",
        "HINT",
    ]


def test_four_askers_name_three_and_count_one_more():
    names = ["Ana", "Bo", "Cy", "Dee"]
    group = UnansweredGroup([queued(60 - k, n, f"q{k}") for k, n in enumerate(names)])
    assert render_unanswered([group], "HINT").splitlines()[0] == (
        "#60      x4  q0   (Ana, Bo, Cy +1; 2026-12-04)"
    )


def test_two_questions_by_one_asker_are_x2_with_the_asker_once():
    group = UnansweredGroup([queued(3, "Ana", "what is BPE?"), queued(2, "Ana", "bpe?")])
    assert render_unanswered([group], "HINT").splitlines() == [
        "#3       x2  what is BPE?   (Ana; 2026-12-04)",
        "            also: bpe?",
        "HINT",
    ]


def test_a_resolution_with_a_card_names_the_first_three_questions():
    done = Resolution(
        [1, 2, 3, 4, 5, 6],
        ["what is a head?", "heads?", "attention head", "what do heads do", "multi-head?"],
        card="attention-heads",
        card_title="Attention heads",
    )
    assert render_resolution(done) == (
        "Resolved 6 queued questions: “what is a head?”; “heads?”; “attention head” and 2 "
        "more now answer with the card Attention heads (attention-heads), for everyone who "
        "asks them again."
    )


def test_a_resolution_with_a_written_answer():
    done = Resolution([9], ["why is my loss nan?"], answer="Lower the learning rate.")
    assert render_resolution(done) == (
        "Resolved 1 queued question: “why is my loss nan?” now answers with your answer, "
        "for everyone who asks it again."
    )


def test_a_resolution_of_exactly_three_texts_has_no_more():
    done = Resolution([4, 5, 6, 7], ["a?", "b?", "c?"], card="bpe", card_title="BPE")
    assert render_resolution(done) == (
        "Resolved 4 queued questions: “a?”; “b?”; “c?” now answer with the card BPE (bpe), "
        "for everyone who asks them again."
    )


# --- models -------------------------------------------------------------------------------------


def test_the_models_report_says_what_is_here_and_how_to_get_the_rest():
    report = ModelsReport(
        "/data/models",
        [
            ModelState("sentence-transformers/all-MiniLM-L6-v2", "sentence-encoder", "packaged"),
            ModelState("distilbert-base-uncased", "fill-mask", ""),
        ],
        [
            DemoModel("ask", "sentence-transformers/all-MiniLM-L6-v2", True),
            DemoModel("fill-mask", "distilbert-base-uncased", False),
        ],
    )
    assert render_models(report, "Models").splitlines() == [
        "Models",
        "What each demo uses:",
        "  ask        sentence-transformers/all-MiniLM-L6-v2  (offline)",
        "  fill-mask  distilbert-base-uncased  (NOT HERE: `tutor models download "
        "distilbert-base-uncased`)",
        "Allow-listed models (local copies live in /data/models):",
        "  sentence-transformers/all-MiniLM-L6-v2  sentence-encoder    packaged",
        "  distilbert-base-uncased                 fill-mask           hub only (not downloaded)",
    ]
    assert render_models(report).startswith("What each demo uses:")


def test_a_model_in_a_local_folder_says_which_folder():
    report = ModelsReport(
        "/data/models",
        [ModelState("gpt2", "tokenizer", "/data/models/gpt2")],
        [DemoModel("tokenize", "gpt2", True)],
    )
    assert render_models(report).splitlines() == [
        "What each demo uses:",
        "  tokenize  gpt2  (offline)",
        "Allow-listed models (local copies live in /data/models):",
        "  gpt2  tokenizer           /data/models/gpt2",
    ]


def test_downloads_say_where_each_model_is_and_its_revision():
    fetched = [
        Downloaded(
            "gpt2",
            Path("/data/models/gpt2"),
            "607a30d783dfa663caf39e06633721c8d4cfcd7e",
            ["a", "b", "c"],
            False,
        ),
        Downloaded(
            "bert-base-uncased",
            Path("/data/models/bert"),
            "86b5e0934494bd15c9632b12f734a8a67f723594",
            [],
            True,
        ),
    ]
    assert render_downloads(fetched).splitlines() == [
        "gpt2: downloaded 3 files (revision 607a30d783) to /data/models/gpt2; it now loads offline.",
        "bert-base-uncased: already here (/data/models/bert, revision 86b5e09344).",
    ]
    assert render_downloads([]) == ""


def test_a_short_revision_is_shown_whole():
    here = Downloaded("tiny", Path("/m/tiny"), "main", [], True)
    assert render_downloads([here]) == "tiny: already here (/m/tiny, revision main)."


# --- backups -------------------------------------------------------------------------------------


def test_backups_are_listed_newest_last_with_how_to_restore():
    made = dt.datetime(2026, 12, 4, 3, 0, tzinfo=dt.UTC)
    found = [
        Backup(Path("/data/backups/tutor-2026-12-03.db"), 1_250_000, made - dt.timedelta(days=1)),
        Backup(Path("/data/backups/manual-20261204-030000.db"), 12_345_678, made),
    ]
    assert render_backups(found, "/data/backups").splitlines() == [
        "made                  size     backup",
        "--------------------  -------  " + "-" * 39,
        "2026-12-03 03:00 UTC  1.2 MB   /data/backups/tutor-2026-12-03.db",
        "2026-12-04 03:00 UTC  12.3 MB  /data/backups/manual-20261204-030000.db",
        "",
        "Restore one with: tutor backup restore [PATH] (default: the newest)",
    ]
    assert render_backups([], "/data/backups") == (
        "No backups in /data/backups yet (the bot writes one a day; `tutor backup` makes one)."
    )


def test_a_backup_in_megabytes_with_one_decimal_and_its_minute():
    found = [Backup(Path("/b/tutor-1.db"), 999_999, dt.datetime(2026, 1, 2, 23, 59, 59))]
    assert render_backups(found, "/b").splitlines()[:3] == [
        "made                  size    backup",
        "--------------------  ------  -------------",
        "2026-01-02 23:59 UTC  1.0 MB  /b/tutor-1.db",
    ]


def test_a_restore_says_where_the_replaced_database_is_kept():
    restored = Restored(
        Path("/data/backups/tutor-2026-12-03.db"),
        Path("/data/tutor.db"),
        Path("/data/tutor.db.damaged-20261204"),
    )
    assert render_restored(restored) == (
        "Restored /data/tutor.db from /data/backups/tutor-2026-12-03.db. The database it "
        "replaced is kept at /data/tutor.db.damaged-20261204."
    )
    fresh = Restored(Path("/b/tutor-1.db"), Path("/data/tutor.db"), None)
    assert render_restored(fresh) == "Restored /data/tutor.db from /b/tutor-1.db."
