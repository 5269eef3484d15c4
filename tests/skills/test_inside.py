"""Inside the packaged all-MiniLM-L6-v2: attention maps, contextual vectors, and their pictures."""

import pytest
from PIL import Image

from skills.inside import (
    MAX_ATTENTION_TOKENS,
    MINILM_HEADS,
    MINILM_LAYERS,
    InsideError,
    WordNotFound,
    attention,
    contextual_embeddings,
)
from skills.inside_images import PALETTE, attention_figure, attention_png, similarity_png

BANK = [
    "I sat on the river bank",
    "The bank of the stream was muddy",
    "I paid cash into the bank",
]


def test_the_packaged_model_is_the_size_the_options_allow(inside_model):
    assert (inside_model.layers, inside_model.heads) == (MINILM_LAYERS, MINILM_HEADS)
    assert inside_model.dimensions == 384


@pytest.mark.parametrize(("layer", "head"), [(None, None), (1, None), (2, 3), (6, 12)])
def test_every_row_of_attention_sums_to_one(inside_model, layer, head):
    amap = attention(inside_model, "The bank of the river", layer=layer, head=head)
    assert amap.tokens == ["[CLS]", "the", "bank", "of", "the", "river", "[SEP]"]
    assert (amap.layer, amap.head) == (layer or MINILM_LAYERS, head)
    assert len(amap.matrix) == len(amap.tokens)
    for row in amap.matrix:
        assert len(row) == len(amap.tokens)
        assert min(row) >= 0
        assert sum(row) == pytest.approx(1.0, abs=1e-3)


def test_word_tokens_park_attention_on_cls_and_sep(inside_model):
    amap = attention(inside_model, "The bank of the river")
    last = len(amap.tokens) - 1
    words = range(1, last)
    # The well-known pattern: in the later layers every word gives a large share to the
    # special tokens ([CLS] above all), attention a head "does not need".
    assert all(amap.matrix[i][0] > 0.2 for i in words)
    assert all(amap.matrix[i][last] > 0 for i in words)
    shares = [amap.matrix[i][0] + amap.matrix[i][last] for i in words]
    assert amap.special_share == pytest.approx(sum(shares) / len(shares), abs=1e-3)
    assert amap.special_share > 0.4


def test_the_reading_skips_special_tokens_and_self_links(inside_model):
    amap = attention(inside_model, "The bank of the river", layer=2, head=3)
    assert amap.links and amap.view == "layer 2 of 6, head 3 of 12"
    for link in amap.links:
        assert link.source != link.target
        assert {link.source_token, link.target_token}.isdisjoint({"[CLS]", "[SEP]"})
    weights = [link.weight for link in amap.links]
    assert weights == sorted(weights, reverse=True)
    top = amap.links[0]
    assert f"“{top.source_token}” → “{top.target_token}” {top.weight:.2f}" in amap.reading
    focus = amap.focus()
    assert [f.token for f in focus] == amap.tokens[1:-1]
    assert all(f.target != f.index for f in focus)


def test_one_word_has_no_links_to_read(inside_model):
    amap = attention(inside_model, "hello")
    assert amap.links == [] and "only one word token" in amap.reading


@pytest.mark.parametrize(
    ("layer", "head", "message"),
    [(0, None, "layers 1 to 6"), (7, None, "layers 1 to 6"), (None, 13, "heads 1 to 12")],
)
def test_layers_and_heads_outside_the_model_are_refused(inside_model, layer, head, message):
    with pytest.raises(InsideError, match=message):
        attention(inside_model, "hello", layer=layer, head=head)


def test_long_text_is_cut_at_a_word_with_a_note(inside_model):
    amap = attention(inside_model, "unhappiness " * 30)  # 4 pieces a word: un ##ha ##pp ##iness
    assert len(amap.tokens) <= MAX_ATTENTION_TOKENS
    assert amap.tokens[0] == "[CLS]" and amap.tokens[-1] == "[SEP]"
    assert amap.tokens[-2] == "##iness"  # the last word kept is whole
    assert amap.original_tokens == 122
    (note,) = amap.notes
    assert "122 tokens" in note and f"first {len(amap.tokens)}" in note
    assert all(sum(row) == pytest.approx(1.0, abs=1e-3) for row in amap.matrix)


def test_river_banks_are_closer_to_each_other_than_to_the_money_bank(inside_model):
    result = contextual_embeddings(inside_model, "bank", BANK)
    sim = result.similarity
    assert sim[0][1] > sim[0][2] and sim[0][1] > sim[1][2]
    assert (result.pairs[0].first, result.pairs[0].second) == (1, 2)
    # Before the layers, the word is one row of the embedding table, whatever the sentence.
    assert all(v == pytest.approx(1.0) for row in result.input_similarity for v in row)
    assert len({tuple(s.input_embedding) for s in result.sentences}) == 1
    assert len({tuple(s.contextual) for s in result.sentences}) == 3
    assert all(len(s.contextual) == 384 and s.pieces == ["bank"] for s in result.sentences)
    assert "sentences 1 and 2 is closest" in result.reading
    assert result.notes == []


def test_a_missing_word_is_refused_naming_the_sentences(inside_model):
    sentences = ["I sat on the river bank", "We walked along the riverbank", "No money here"]
    with pytest.raises(WordNotFound) as refused:
        contextual_embeddings(inside_model, "bank", sentences)
    message = str(refused.value)
    assert "sentence 2 (“We walked along the riverbank”)" in message  # not as a whole word
    assert "sentence 3" in message and "sentence 1" not in message


def test_a_split_word_is_explained_and_averaged_over_its_pieces(inside_model):
    result = contextual_embeddings(
        inside_model,
        "Embeddings",
        ["Word embeddings map words to vectors", "The embeddings were frozen, embeddings!"],
    )
    assert [s.pieces for s in result.sentences] == [["em", "##bed", "##ding", "##s"]] * 2
    assert result.sentences[1].positions == [2, 3, 4, 5]
    pieces, repeated = result.notes
    assert "WordPiece splits it into em ##bed ##ding ##s" in pieces and "mean" in pieces
    assert "appears 2 times in sentence 2" in repeated


def test_the_heatmap_has_token_labels_a_safe_palette_and_alt_text(inside_model, tmp_path):
    amap = attention(inside_model, "The bank of the river")
    figure = attention_figure(amap)
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == amap.tokens
    assert [t.get_text() for t in ax.get_yticklabels()] == amap.tokens
    assert ax.images[0].get_cmap().name == PALETTE
    picture = attention_png(amap, tmp_path / "a" / "attention.png")
    with Image.open(picture.path) as image:
        assert image.format == "PNG"
        assert 500 <= image.width <= 1000 and 500 <= image.height <= 1000
        assert image.text["Description"] == picture.alt_text
    assert "layer 6 of 6, mean of 12 heads" in picture.alt_text
    assert "[CLS] the bank of the river [SEP]" in picture.alt_text
    assert amap.reading in picture.alt_text


def test_bigger_texts_get_bigger_heatmaps(inside_model, tmp_path):
    small = attention_png(attention(inside_model, "a b"), tmp_path / "small.png")
    big = attention_png(attention(inside_model, "word " * 60), tmp_path / "big.png")
    with Image.open(small.path) as s, Image.open(big.path) as b:
        assert b.width > s.width and b.height > s.height
        assert b.width <= 1500


def test_the_similarity_picture(inside_model, tmp_path):
    result = contextual_embeddings(inside_model, "bank", BANK)
    picture = similarity_png(result, tmp_path / "embed.png")
    with Image.open(picture.path) as image:
        assert image.text["Description"] == picture.alt_text
        assert image.width >= 800
    assert "1-2 0.89" in picture.alt_text and "I paid cash into the bank" in picture.alt_text
    assert len(picture.alt_text) <= 1024  # Discord's limit for an attachment's description


def test_a_known_head_attends_to_the_previous_token(inside_model):
    # Layer 1, head 3 of the packaged MiniLM is a previous-token head: every word token puts
    # nearly all its attention on the token before it.
    amap = attention(
        inside_model, "The students trained a small model on movie reviews", layer=1, head=3
    )
    for i in range(2, len(amap.tokens) - 1):
        assert amap.matrix[i][i - 1] > 0.9
    assert amap.reading.startswith("A previous-token pattern")
    mean = attention(inside_model, "The students trained a small model on movie reviews")
    assert "pattern" not in mean.reading
