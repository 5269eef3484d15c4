import pytest

from skills.fill_mask import FillMaskError, MaskedLMRegistry, masking_demo
from skills.models import ModelNotAllowed
from skills.tokenization import TokenizerRegistry


@pytest.fixture(scope="module")
def lm(tiny_mlm_dir):
    return MaskedLMRegistry().get(str(tiny_mlm_dir))


@pytest.mark.parametrize(
    "text",
    ["the [MASK] sat on the mat.", "The <mask> sat on the mat.", "the ___ sat on the mat."],
)
def test_blank_spellings_and_top_prediction(lm, text):
    result = lm.predict(text, top_k=3)
    (blank,) = result.blanks
    assert blank.predictions[0].token == "cat"
    assert len(blank.predictions) == 3
    scores = [p.score for p in blank.predictions]
    assert scores == sorted(scores, reverse=True) and 0 < sum(scores) <= 1.0001


def test_several_blanks_and_targets(lm):
    result = lm.predict(
        "paris is the capital of [MASK]. the [MASK] sat on the mat.",
        targets=["france", "cat", "unhappiness"],
    )
    assert [b.predictions[0].token for b in result.blanks] == ["france", "cat"]
    first = {t.token: t.score for t in result.blanks[0].targets}
    assert first["france"] > first["cat"]
    assert "unhappiness" not in first
    assert any("unhappiness" in n and "tokens" in n for n in result.notes)


def test_long_input_is_cut_around_the_blank(lm):
    filler = "word " * 300
    result = lm.predict(f"{filler} the [MASK] sat on the mat. {filler}")
    assert result.blanks
    assert any("cut" in n for n in result.notes)
    assert result.blanks[0].position < lm.max_length


@pytest.mark.parametrize(("kwargs", "message"), [({"top_k": 0}, "top-k"), ({"top_k": 51}, "top-k")])
def test_bad_arguments(lm, kwargs, message):
    with pytest.raises(FillMaskError, match=message):
        lm.predict("the [MASK] sat", **kwargs)


def test_no_blank(lm):
    with pytest.raises(FillMaskError, match="blank"):
        lm.predict("no blank here")


def test_unknown_model_is_refused_without_download(no_hub):
    with pytest.raises(ModelNotAllowed, match="Unknown model"):
        MaskedLMRegistry().get("someone/fill-mask-with-remote-code")


def test_masking_demo_is_seeded_and_follows_the_rule():
    tokenizer, _ = TokenizerRegistry().get("bert-base-uncased")
    text = " ".join(["the quick brown fox jumps over the lazy dog"] * 4)
    first = masking_demo(tokenizer, text, seed=7)
    assert first == masking_demo(tokenizer, text, seed=7)
    assert first != masking_demo(tokenizer, text, seed=8)
    real_tokens = len(first.tokens) - 2
    assert len(first.picked) == round(0.15 * real_tokens)
    for p in first.picked:
        assert first.labels[p.position] == p.original == first.tokens[p.position]
        assert first.model_input[p.position] == p.shown
        assert p.action in {"mask", "random", "keep"}
        if p.action == "mask":
            assert p.shown == "[MASK]"
    unpicked = set(range(len(first.tokens))) - {p.position for p in first.picked}
    assert all(
        first.labels[i] is None and first.model_input[i] == first.tokens[i] for i in unpicked
    )


def test_masking_rule_proportions_over_many_seeds():
    tokenizer, _ = TokenizerRegistry().get("bert-base-uncased")
    text = " ".join(["the quick brown fox jumps over the lazy dog"] * 10)
    actions = [
        p.action for seed in range(200) for p in masking_demo(tokenizer, text, seed=seed).picked
    ]
    share = actions.count("mask") / len(actions)
    assert 0.76 < share < 0.84, share
