import pytest

from knowledge.documents import DocumentError, chunk_text, load_document


def test_chunks_keep_paragraphs_and_line_numbers():
    text = "First para line one.\nline two.\n\nSecond para.\n\n\nThird para."
    chunks = chunk_text(text, chunk_words=3)
    assert [c.position for c in chunks] == [1, 2, 3]
    assert chunks[0].text == "First para line one. line two."
    assert (chunks[0].line_start, chunks[0].line_end) == (1, 2)
    assert (chunks[2].line_start, chunks[2].line_end) == (7, 7)


def test_small_paragraphs_are_grouped_and_huge_ones_split():
    small = chunk_text("a b\n\nc d\n\ne f", chunk_words=10)
    assert len(small) == 1
    huge = chunk_text(" ".join(["word"] * 1000), chunk_words=100)
    assert len(huge) == 10
    assert all(len(c.text.split()) == 100 for c in huge)


def test_invisible_characters_are_removed():
    (chunk,) = chunk_text("lo\u200bra is\u00a0great\ufeff")
    assert chunk.text == "lora is great"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.docx", b"PK\x03\x04", "unsupported file type"),
        ("empty.txt", b"   \n\n ", "contains no text"),
        ("binary.txt", b"\x00\x01\x02abc", "binary"),
    ],
)
def test_bad_documents_get_a_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=message):
        load_document(path)


def test_missing_file(tmp_path):
    with pytest.raises(DocumentError, match="no such file"):
        load_document(tmp_path / "nope.txt")


def test_course_handout_ingests(course_dir):
    doc = load_document(course_dir / "003_16e1dd5c26b7ef88.txt")
    assert len(doc.chunks) >= 5
    assert any("Masked Language Modeling" in c.text for c in doc.chunks)
