"""What the plain-text renderer prints, as a person reads it."""

from bot.app.results import IngestReport, IngestStatus
from bot.render.text import counted, render_ingest


def test_a_count_of_one_is_singular():
    assert counted(1, "question") == "1 question"
    assert counted(2, "question") == "2 questions"
    assert counted(1_000, "chunk") == "1,000 chunks"
    assert counted(0, "graded quiz answer") == "0 graded quiz answers"
    assert counted(3, "index", "indexes") == "3 indexes"


def test_an_ingest_of_one_chunk_says_one_chunk():
    (line,) = render_ingest([IngestReport("notes.md", IngestStatus.ADDED, 1)]).splitlines()
    assert line == "✓ notes.md: added, 1 chunk"
