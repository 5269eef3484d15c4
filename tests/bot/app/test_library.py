"""Documents and the live index: identity by path, vectors stored with chunks, incremental
adds, repair from stored vectors, failures that keep the old version, and other processes'
ingests picked up without a restart."""

import shutil

import numpy as np
import pytest

from bot.app.tutor import Tutor
from bot.store import documents
from tests.conftest import CountingEncoder
from tests.helpers import who

QUESTION = "how many lora runs can each team submit to the class competition?"


def write_notes(path, runs="three"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Week 7\n\nOffice hours move to Thursday.\n\n"
        f"The class competition uses the SST-2 dev split; each team may submit {runs} "
        "LoRA runs and the best dev accuracy counts for the leaderboard.\n"
    )
    return path


@pytest.fixture
def own_index(settings, tmp_path):
    """Settings with an index folder of this test's own (the shared one stays untouched)."""
    return settings.model_copy(update={"index_dir": tmp_path / "index"})


def test_ingest_adds_chunks_without_embedding_anything_else(tutor, encoder, tmp_path):
    tutor.warm_up()
    before = encoder.texts_encoded
    (report,) = tutor.ask.ingest([write_notes(tmp_path / "notes.md")])
    assert encoder.texts_encoded - before == report.chunks  # only the new chunks
    reply = tutor.ask.ask(who(), QUESTION)
    assert reply.answer.sources[0].kind == "document"
    rows = tutor.store.run(documents.all_chunks)
    assert all(len(r["vector"]) == 4 * 384 for r in rows)  # vectors stored with the chunks


def test_same_file_name_in_two_folders_are_two_documents(tutor, tmp_path):
    a = write_notes(tmp_path / "a" / "notes.md", "three")
    b = tmp_path / "b" / "notes.md"
    b.parent.mkdir()
    b.write_text("Gradient clipping in week 8 caps the gradient norm at 1.0 for every team.")
    reports = tutor.ask.ingest([a, b])
    assert [r.status for r in reports] == ["added", "added"]
    assert len(tutor.store.run(documents.all_documents)) == 2
    reply = tutor.ask.ask(who(), QUESTION)
    assert "three LoRA runs" in reply.answer.answer
    reply = tutor.ask.ask(who(), "what does gradient clipping cap in week 8?")
    assert reply.answer.sources[0].id == "b/notes.md#1"
    assert "gradient norm" in reply.answer.answer
    write_notes(a, "five")
    (changed,) = tutor.ask.ingest([a])
    assert changed.status == "replaced"
    assert len(tutor.store.run(documents.all_documents)) == 2


def test_a_reingest_that_fails_midway_keeps_the_old_version(tutor, tmp_path, monkeypatch):
    notes = write_notes(tmp_path / "notes.md", "three")
    tutor.ask.ingest([notes])
    assert "three LoRA runs" in tutor.ask.ask(who(), QUESTION).answer.answer
    write_notes(notes, "five")

    def fail(*args, **kwargs):  # runs after the old chunks were deleted and the new written
        raise OSError(28, "database or disk is full")

    monkeypatch.setattr(documents, "bump_version", fail)
    with pytest.raises(OSError):
        tutor.ask.ingest([notes])
    monkeypatch.undo()
    (row,) = tutor.store.run(documents.all_documents)
    assert row["chunks"] >= 1
    assert "three LoRA runs" in tutor.ask.ask(who(), QUESTION).answer.answer
    (retry,) = tutor.ask.ingest([notes])
    assert retry.status == "replaced"
    assert "five LoRA runs" in tutor.ask.ask(who(), QUESTION).answer.answer


def test_another_tutor_on_the_same_data_dir_sees_a_new_document(settings, real_encoder, tmp_path):
    bot_encoder = CountingEncoder(real_encoder)
    bot = Tutor(settings, encoder=bot_encoder)
    one_shot = Tutor(settings, encoder=CountingEncoder(real_encoder))
    try:
        bot.warm_up()
        assert bot.ask.ask(who(), QUESTION).answer.sources[0].kind == "card"
        before = bot_encoder.texts_encoded
        one_shot.ask.ingest([write_notes(tmp_path / "notes.md")])
        reply = bot.ask.ask(who(), QUESTION)
        assert reply.answer.sources[0].kind == "document"
        assert "three LoRA runs" in reply.answer.answer
        assert bot_encoder.texts_encoded - before == 1  # the question, nothing else
        write_notes(tmp_path / "notes.md", "five")
        one_shot.ask.ingest([tmp_path / "notes.md"])
        assert "five LoRA runs" in bot.ask.ask(who(), QUESTION).answer.answer
        assert len(bot.ask.knowledge().index.source_ids("document")) == 1  # old one gone
    finally:
        one_shot.close()
        bot.close()


@pytest.mark.parametrize("damage", ["missing", "damaged", "foreign"])
def test_index_folder_is_rebuilt_from_stored_vectors(own_index, real_encoder, tmp_path, damage):
    first = Tutor(own_index, encoder=CountingEncoder(real_encoder))
    first.ask.ingest([write_notes(tmp_path / "notes.md")])
    first.warm_up()
    first.close()
    (folder,) = [p for p in own_index.index_path.iterdir() if not p.name.startswith(".")]
    if damage == "missing":
        shutil.rmtree(own_index.index_path)
    elif damage == "damaged":
        (folder / "vectors.npy").write_bytes(b"\x93NUMPY garbage")
    else:  # another model's index: the wrong shape must not crash start-up
        np.save(folder / "vectors.npy", np.ones((7, 768), dtype=np.float32))
    encoder = CountingEncoder(real_encoder)
    second = Tutor(own_index, encoder=encoder)
    try:
        reply = second.ask.ask(who(), QUESTION)
        assert "three LoRA runs" in reply.answer.answer
        assert encoder.texts_encoded == 1  # the question; cards and chunks came from the db
        assert (folder / "meta.json").is_file()  # and the folder was repaired
    finally:
        second.close()


def test_a_written_pdf_is_ingested_and_answered_from(tutor, tmp_path):
    from bench.ingest_latency import QUESTION, write_pdf

    pdf = write_pdf(tmp_path / "handout.pdf", pages=3, room="B214", event="hackathon")
    (report,) = tutor.ask.ingest([pdf])
    assert report.status == "added", report
    reply = tutor.ask.ask(who(), QUESTION.format(event="hackathon"))
    assert reply.answer.sources[0].kind == "document"
    assert "B214" in reply.answer.answer


def test_document_answers_are_readable_and_cite_file_and_lines(tutor, tmp_path):
    notes = tmp_path / "week9.md"
    notes.write_text(
        "# Week 9 lab\n\n"
        "**Scaled attention** in our lab divides the scores by $\\sqrt{d_k}$, "
        "where $d_k = 64$ for every head of the lab model.\n"
    )
    tutor.ask.ingest([notes])
    reply = tutor.ask.ask(who(), "what does scaled attention divide the scores by in our lab?")
    text = reply.answer.answer
    assert reply.answer.sources[0].kind == "document"
    assert text.startswith("From week9.md, part 1 (lines 1-3):\nWeek 9 lab\nScaled attention")
    assert "√(d_k)" in text and "d_k = 64" in text
    assert not any(mark in text for mark in ("**", "$", "\\sqrt", "# "))
