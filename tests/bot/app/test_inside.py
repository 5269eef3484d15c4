"""The look-inside demos through the application layer: input rules, notes, where images go."""

import pytest

from bot.errors import TutorError

BANK = ["I sat on the river bank", "The bank of the stream was muddy", "I paid cash into the bank"]


def test_attention_reply_carries_the_matrix_the_image_and_its_alt_text(tutor, settings):
    reply = tutor.demos.attention("The bank of\u200b the river", layer=2, head=3)
    data = reply.to_json()
    assert data["text"] == "The bank of the river"  # cleaned like every demo's input
    assert data["tokens"][0] == "[CLS]" and data["tokens"][-1] == "[SEP]"
    assert len(data["matrix"]) == len(data["tokens"])
    assert (data["layer"], data["head"], data["view"]) == (2, 3, "layer 2 of 6, head 3 of 12")
    assert data["reading"] in data["alt_text"]
    assert reply.image.parent == settings.data_dir / "images" and reply.image.is_file()
    assert data["image"] == str(reply.image) and data["notes"] == []


def test_the_same_request_rewrites_one_file(tutor):
    first = tutor.demos.attention("The bank of the river")
    again = tutor.demos.attention("The bank of the river")
    other = tutor.demos.attention("The bank of the river", layer=1)
    assert first.image == again.image != other.image


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200d"])
def test_attention_needs_text(tutor, text):
    with pytest.raises(TutorError, match="Give me some text"):
        tutor.demos.attention(text)


def test_long_text_gets_both_notes(tutor, settings):
    reply = tutor.demos.attention("word " * 1000)
    cut_chars, cut_tokens = reply.notes
    assert "4,999 characters" in cut_chars and f"first {settings.max_demo_chars:,}" in cut_chars
    assert "the model read only the first 40" in cut_tokens


def test_out_must_be_a_png_in_an_existing_folder(tutor, tmp_path):
    reply = tutor.demos.attention("hello there", out=tmp_path / "mine.png")
    assert reply.image == tmp_path / "mine.png" and reply.image.is_file()
    with pytest.raises(TutorError, match=r"ending in \.png"):
        tutor.demos.attention("hello there", out=tmp_path / "mine.jpg")
    with pytest.raises(TutorError, match="does not exist"):
        tutor.demos.embed("bank", BANK, out=tmp_path / "nope" / "x.png")


def test_embed_reply(tutor):
    reply = tutor.demos.embed(" bank ", BANK)
    data = reply.to_json()
    assert data["word"] == "bank" and data["dimensions"] == 384
    assert (data["pairs"][0]["first"], data["pairs"][0]["second"]) == (1, 2)
    assert len(data["sentences"]) == 3 and len(data["sentences"][0]["contextual"]) == 384
    assert reply.image.is_file() and "cosine" in data["alt_text"]


@pytest.mark.parametrize("count", [1, 7])
def test_embed_takes_two_to_six_sentences(tutor, count):
    with pytest.raises(TutorError, match="2 to 6 sentences"):
        tutor.demos.embed("bank", ["the bank"] * count)


def test_embed_refusals_name_the_sentence(tutor):
    with pytest.raises(TutorError, match="Sentence 2 is empty"):
        tutor.demos.embed("bank", ["the bank", " \u200b "])
    with pytest.raises(TutorError, match="not in sentence 2"):
        tutor.demos.embed("bank", ["the bank", "the shore"])
    with pytest.raises(TutorError, match="Give me a word"):
        tutor.demos.embed("  ", ["the bank", "a bank"])
