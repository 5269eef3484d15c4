"""What the demos print, from bot/render/demos.py: a tokenizer's table, a padded batch,
attention and contextual embeddings, fill-mask predictions, BERT's masking rule and the
calculators."""

from pathlib import Path

from bot.app.calculations import Calculation
from bot.app.results import AttentionReply, BatchReply, EmbedReply, MaskReply, TokenizeReply
from bot.render.demos import (
    render_attention,
    render_batch,
    render_calculation,
    render_embed,
    render_mask,
    render_masking_demo,
    render_tokenize,
    render_tokenizer_result,
)
from skills.errors import Hint, TutorError
from skills.fill_mask import Blank, FillMaskResult, MaskedPosition, MaskingDemo, Prediction
from skills.inside import AttentionMap, ContextualEmbeddings, WordInSentence
from skills.tokenization import BatchResult, TokenizeResult


def wordpiece(token_type_ids=(0, 0, 0, 0)) -> TokenizeResult:
    return TokenizeResult(
        tokenizer="bert-base-uncased",
        algorithm="WordPiece",
        tokens=["[CLS]", "play", "##ing", "[SEP]"],
        ids=[101, 2377, 2075, 102],
        special_tokens=["[CLS]", "[SEP]"],
        attention_mask=[1, 1, 1, 1],
        token_type_ids=list(token_type_ids),
        continuation=[False, False, True, False],
        spans=["", "play", "ing", ""],
        num_tokens=4,
        num_chars=7,
        vocab_size=30522,
    )


def test_a_tokenizer_result_is_a_table_of_tokens_ids_and_masks():
    assert render_tokenizer_result(wordpiece()).splitlines() == [
        "bert-base-uncased (WordPiece, vocabulary 30,522): 4 tokens from 7 characters",
        "#  token  id    mask",
        "-  -----  ----  ----  --------------",
        "0  [CLS]  101   1     special",
        "1  play   2377  1",
        "2  ##ing  2075  1     continues word",
        "3  [SEP]  102   1     special",
        "special tokens added: [CLS], [SEP]",
    ]


def test_a_sentence_pair_shows_each_tokens_segment():
    lines = render_tokenizer_result(wordpiece((0, 0, 1, 1))).splitlines()
    assert lines[1] == "#  token  id    mask  type"
    assert lines[5] == "2  ##ing  2075  1     1     continues word"


def test_a_byte_level_token_is_shown_escaped_and_no_specials_say_none():
    gpt2 = TokenizeResult(
        tokenizer="gpt2",
        algorithm="byte-level BPE",
        tokens=["Hi", "\n"],
        ids=[17250, 198],
        special_tokens=[],
        attention_mask=[1, 1],
        token_type_ids=[0, 0],
        continuation=[False, False],
        spans=["Hi", "\n"],
        num_tokens=2,
        num_chars=3,
        vocab_size=50257,
    )
    lines = render_tokenizer_result(gpt2).splitlines()
    assert lines[0] == "gpt2 (byte-level BPE, vocabulary 50,257): 2 tokens from 3 characters"
    assert lines[4] == "1  \\n     198    1"
    assert lines[-1] == "special tokens added: none"


def test_tokenize_puts_notes_first_and_a_blank_line_between_tokenizers():
    reply = TokenizeReply("playing", [wordpiece(), wordpiece()], notes=["cut to 512 tokens"])
    parts = render_tokenize(reply).split("\n\n")
    assert parts[0] == "note: cut to 512 tokens"
    assert len(parts) == 3 and parts[1] == parts[2] == render_tokenizer_result(wordpiece())


def test_a_batch_shows_each_sentence_padded_with_its_mask():
    batch = BatchResult(
        tokenizer="bert-base-uncased",
        pad_token="[PAD]",
        tokens=[["[CLS]", "hi", "[SEP]", "[PAD]"], ["[CLS]", "hi", "there", "[SEP]"]],
        ids=[[101, 7632, 102, 0], [101, 7632, 2045, 102]],
        attention_mask=[[1, 1, 1, 0], [1, 1, 1, 1]],
    )
    assert render_batch(BatchReply(["hi", "hi there"], batch)).splitlines() == [
        "2 sentences padded with [PAD] to the longest (4 tokens) by bert-base-uncased:",
        "[0] tokens:         [CLS] hi [SEP] [PAD]",
        "    attention_mask: 1 1 1 0",
        "[1] tokens:         [CLS] hi there [SEP]",
        "    attention_mask: 1 1 1 1",
        "1 = a real token the model attends to, 0 = padding it ignores.",
    ]


def attention() -> AttentionReply:
    amap = AttentionMap(
        text="the cat sat",
        model="all-MiniLM-L6-v2",
        tokens=["[CLS]", "the", "cat", "sat", "[SEP]"],
        matrix=[
            [0.2, 0.2, 0.2, 0.2, 0.2],
            [0.3, 0.1, 0.4, 0.1, 0.1],
            [0.1, 0.05, 0.3, 0.5, 0.05],
            [0.5, 0.005, 0.005, 0.09, 0.4],  # nothing worth naming besides [CLS]/[SEP]
            [0.2, 0.2, 0.2, 0.2, 0.2],
        ],
        layer=6,
        head=None,
        layers=6,
        heads=12,
        links=[],
        special_share=0.48,
        reading="Most attention goes to [CLS] and [SEP].",
        original_tokens=5,
    )
    return AttentionReply(amap, Path("/tmp/attention.png"), "a heatmap", notes=["cut to 64"])


def test_attention_names_each_words_strongest_link_and_the_heatmap():
    assert render_attention(attention()).splitlines() == [
        "note: cut to 64",
        "all-MiniLM-L6-v2 attention, layer 6 of 6, mean of 12 heads, over 5 tokens:",
        "  [CLS] the cat sat [SEP]",
        "Most attention goes to [CLS] and [SEP].",
        "",
        "token  attends most to  itself  [CLS]+[SEP]",
        "-----  ---------------  ------  -----------",
        "the    cat 0.40         0.10    0.40",
        "cat    sat 0.50         0.30    0.15",
        "sat    -                0.09    0.90",
        "",
        "Heatmap: /tmp/attention.png",
    ]


def test_attention_for_a_chat_leaves_out_the_table_and_the_path():
    assert render_attention(attention(), image=False, per_token=False).splitlines() == [
        "note: cut to 64",
        "all-MiniLM-L6-v2 attention, layer 6 of 6, mean of 12 heads, over 5 tokens:",
        "  [CLS] the cat sat [SEP]",
        "Most attention goes to [CLS] and [SEP].",
    ]


def embeddings() -> EmbedReply:
    def word(sentence, contextual, pieces=("bank",)) -> WordInSentence:
        return WordInSentence(sentence, [], [3], list(pieces), contextual, [0.5, -0.25, 0, 1], 1)

    result = ContextualEmbeddings(
        word="bank",
        model="minilm",
        dimensions=384,
        sentences=[
            word("I sat on the river bank.", [0.1234, -0.5, 0.25, 1.0]),
            word("The bank raised its rates again this year.", [0.2, 0.1, -0.3, 0.0]),
            word("Banks lend money.", [0.0, 0.0, 0.5, 0.5], ("banks",)),
        ],
        similarity=[[1.0, 0.31, 0.35], [0.31, 1.0, 0.82], [0.35, 0.82, 1.0]],
        input_similarity=[[1.0] * 3] * 3,
        reading="The two money senses are closest.",
    )
    return EmbedReply(result, Path("/tmp/bank.png"), "a picture")


def test_contextual_embeddings_show_similarities_pairs_and_dimensions():
    lines = render_embed(embeddings(), dims=2, sentence_chars=20).splitlines()
    assert lines[0] == (
        "“bank” in 3 sentences (minilm: 384-dimensional vectors from the last layer):"
    )
    assert lines[1:6] == [
        "     sentence              the word's tokens",
        "  -  --------------------  -----------------",
        "  1  I sat on the river …  bank",  # cut to 20 characters
        "  2  The bank raised its…  bank",
        "  3  Banks lend money.     banks",
    ]
    assert lines[6:13] == [
        "",
        "Cosine similarity of the contextual vectors:",
        "     1     2     3",
        "  -  ----  ----  ----",
        "  1  1.00  0.31  0.35",
        "  2  0.31  1.00  0.82",
        "  3  0.35  0.82  1.00",
    ]
    assert lines[13] == "Pairs, most similar first: 2-3 0.82, 1-3 0.35, 1-2 0.31"
    assert lines[14:17] == [
        "",
        "First 2 of 384 dimensions:",
        "     contextual vector  input embedding",
    ]
    assert lines[18] == "  1  +0.123 -0.500 …    +0.500 -0.250 …"
    assert lines[-2:] == ["The two money senses are closest.", "Picture: /tmp/bank.png"]


def test_contextual_embeddings_without_dimensions_or_picture():
    text = render_embed(embeddings(), image=False, dims=0)
    assert "dimensions:" not in text and "Picture:" not in text
    assert "The bank raised its rates again this year." in text  # never clipped by default
    assert text.endswith("The two money senses are closest.")


def test_the_masking_rule_shows_what_the_model_sees_and_must_predict():
    demo = MaskingDemo(
        text="the cat sat on the mat",
        seed=7,
        tokens=["the", "cat", "sat", "on", "the", "mat"],
        model_input=["the", "[MASK]", "sat", "on", "the", "dog"],
        labels=[None, "cat", None, None, None, "mat"],
        picked=[
            MaskedPosition(1, "cat", "mask", "[MASK]"),
            MaskedPosition(5, "mat", "random", "dog"),
        ],
    )
    assert render_masking_demo(demo).splitlines() == [
        "BERT masking rule on 6 tokens (seed 7): pick 15%, then 80% -> [MASK], 10% -> random "
        "token, 10% -> unchanged.",
        "tokens:      the cat sat on the mat",
        "model sees:  the [MASK] sat on the dog",
        "  position 1: 'cat' -> '[MASK]' (mask); must predict 'cat'",
        "  position 5: 'mat' -> 'dog' (random); must predict 'mat'",
    ]


def test_a_calculation_is_its_summary_then_its_working_indented():
    calc = Calculation(
        "steps",
        "1,000 examples in batches of 32: 32 steps per epoch.",
        ["1000 / 32 = 31.25", "rounded up: 32 (the last batch is smaller)"],
        {"steps": 32},
    )
    assert render_calculation(calc) == (
        "1,000 examples in batches of 32: 32 steps per epoch.\n"
        "  1000 / 32 = 31.25\n"
        "  rounded up: 32 (the last batch is smaller)"
    )


# --- fill-mask -----------------------------------------------------------------------------------


def test_fill_mask_lists_each_blanks_predictions_with_bars_and_the_guesses_scores():
    result = FillMaskResult(
        "the [MASK] sat on the [MASK]",
        "distilbert-base-uncased",
        [
            Blank(
                2, [Prediction("cat", 0.5), Prediction("dog", 0.25)], [Prediction("cow", 0.0012)]
            ),
            Blank(6, [Prediction("mat", 0.9)]),
        ],
        notes=["only the first 2 blanks are filled"],
    )
    reply = MaskReply("the _ sat on the _", "distilbert-base-uncased", result, notes=["cut"])
    assert render_mask(reply, {}).splitlines() == [
        "note: cut",
        "note: only the first 2 blanks are filled",
        "distilbert-base-uncased: blank 1 (token 2)",
        "  cat  " + "█" * 10 + "·" * 10 + " 0.500",
        "  dog  " + "█" * 5 + "·" * 15 + " 0.250",
        "  your guess 'cow': 0.0012",
        "distilbert-base-uncased: blank 2 (token 6)",
        "  mat  " + "█" * 18 + "··" + " 0.900",
    ]


def test_fill_mask_predictions_line_up_under_the_longest_token_or_guess():
    guess = [Prediction("london", 0.2)]
    blank = Blank(1, [Prediction("a", 0.1), Prediction("##ing", 0.05)], guess)
    reply = MaskReply("x", "bert", FillMaskResult("x", "bert", [blank]))
    lines = render_mask(reply, {}).splitlines()
    assert lines[1] == "  a       " + "██" + "·" * 18 + " 0.100"
    assert lines[2] == "  ##ing   " + "█" + "·" * 19 + " 0.050"
    assert lines[3] == "  your guess 'london': 0.2000"
    assert len({line.index("█") if "█" in line else line.index("·") for line in lines[1:3]}) == 1


def test_fill_mask_unavailable_says_why_in_the_frontends_words_and_shows_the_tokens():
    problem = TutorError(
        "distilbert-base-uncased is not here.", hint=Hint.MODEL_OFFLINE, name="distilbert"
    )
    view = TokenizeResult(
        tokenizer="bert-base-uncased",
        algorithm="WordPiece",
        tokens=["[CLS]", "the", "[MASK]", "[SEP]"],
        ids=[101, 1996, 103, 102],
        special_tokens=["[CLS]", "[SEP]", "[MASK]"],
        attention_mask=[1, 1, 1, 1],
        token_type_ids=[0, 0, 0, 0],
        continuation=[False] * 4,
        spans=["", "the", "", ""],
        num_tokens=4,
        num_chars=7,
        vocab_size=30522,
    )
    reply = MaskReply("the _", "distilbert-base-uncased", None, "not here", view, problem=problem)
    hints = {Hint.MODEL_OFFLINE: "Run `tutor models download {name}`."}
    assert render_mask(reply, hints).splitlines() == [
        "Fill-mask is not available: distilbert-base-uncased is not here. Run `tutor models "
        "download distilbert`.",
        "What the model would see (BERT uncased WordPiece):",
        "  [CLS] the [MASK] [SEP]",
    ]
    # a frontend without words for the hint shows the message alone
    assert render_mask(reply, {}).splitlines()[0] == (
        "Fill-mask is not available: distilbert-base-uncased is not here."
    )


def test_fill_mask_unavailable_without_a_problem_shows_the_error_text():
    reply = MaskReply("x", "m", None, "the model could not be loaded", notes=["cut to 512"])
    assert render_mask(reply, {}) == (
        "note: cut to 512\nFill-mask is not available: the model could not be loaded"
    )
