import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills import models
from skills.errors import Hint
from skills.models import ModelNotAllowed, ModelUnavailable, packaged_minilm_path
from skills.tokenization import TokenizationError, TokenizerRegistry, tokenize, tokenize_batch


@pytest.fixture(scope="module")
def registry():
    return TokenizerRegistry()


def test_wordpiece_marks_continuations_and_adds_specials(registry):
    result = tokenize(registry, "bert-base-uncased", "Unhappiness is real")
    assert result.algorithm == "WordPiece"
    assert result.tokens == ["[CLS]", "un", "##ha", "##pp", "##iness", "is", "real", "[SEP]"]
    assert result.ids[0] == 101 and result.ids[-1] == 102
    assert result.continuation == [False, False, True, True, True, False, False, False]
    assert result.special_tokens == ["[CLS]", "[SEP]"]
    assert result.attention_mask == [1] * 8
    assert result.spans[1:5] == ["Un", "ha", "pp", "iness"]
    assert (result.num_tokens, result.num_chars, result.vocab_size) == (8, 19, 30522)


def test_pair_gets_token_type_ids(registry):
    result = tokenize(registry, "bert-base-uncased", "Is it raining?", "Take an umbrella.")
    assert result.tokens.count("[SEP]") == 2
    first_sep = result.tokens.index("[SEP]")
    assert set(result.token_type_ids[: first_sep + 1]) == {0}
    assert set(result.token_type_ids[first_sep + 1 :]) == {1}


def test_gpt2_byte_level_bpe(registry):
    result = tokenize(registry, "gpt2", "Hello world")
    assert result.algorithm == "BPE"
    assert result.tokens == ["Hello", "Ġworld"]
    assert result.ids == [15496, 995]
    assert result.special_tokens == []
    assert result.vocab_size == 50257


def test_padding_demo(registry):
    batch = tokenize_batch(registry, "bert-base-uncased", ["a cat", "the cat sat on the mat"])
    assert batch.tokens[0] == ["[CLS]", "a", "cat", "[SEP]", "[PAD]", "[PAD]", "[PAD]", "[PAD]"]
    assert batch.attention_mask[0] == [1, 1, 1, 1, 0, 0, 0, 0]
    assert batch.attention_mask[1] == [1] * 8
    assert batch.ids[0][-1] == 0
    # the registry's shared tokenizer is not left padding
    assert "[PAD]" not in tokenize(registry, "bert-base-uncased", "a cat").tokens


def test_gpt2_has_no_pad_token(registry):
    with pytest.raises(TokenizationError, match="no padding token"):
        tokenize_batch(registry, "gpt2", ["a", "b c"])


def test_unknown_names_are_refused_before_any_download(registry, no_hub):
    with pytest.raises(ModelNotAllowed) as err:
        tokenize(registry, "evil/remote-code-model", "hi")
    assert "bert-base-uncased" in str(err.value) and "gpt2" in str(err.value)


def test_allow_listed_name_without_hub_says_what_is_missing(registry, monkeypatch):
    monkeypatch.setattr(models, "hub_reachable", lambda endpoint=None: False)
    with pytest.raises(ModelUnavailable, match=r"roberta-base (is not available|needs)") as err:
        tokenize(TokenizerRegistry(), "roberta-base", "hi")
    # Where to put a copy is the frontend's to say, from the folder the error names.
    assert err.value.hint in (Hint.MODEL_OFFLINE, Hint.MODEL_ELSEWHERE)
    assert err.value.hint_args == {"name": "roberta-base", "folder": "roberta-base"}


def test_local_folder_and_model_dir(tmp_path, no_hub):
    from transformers import AutoTokenizer

    saved = tmp_path / "bert-base-cased"
    AutoTokenizer.from_pretrained(str(packaged_minilm_path())).save_pretrained(saved)
    by_path = tokenize(TokenizerRegistry(), str(saved), "Hello")
    by_name = tokenize(TokenizerRegistry(model_dir=tmp_path), "bert-base-cased", "Hello")
    assert by_path.tokens == by_name.tokens == ["[CLS]", "hello", "[SEP]"]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_tokenizes_consistently(text):
    registry = _shared_registry()
    for name in ("bert-base-uncased", "gpt2"):
        result = tokenize(registry, name, text)
        n = result.num_tokens
        assert len(result.ids) == len(result.attention_mask) == len(result.continuation) == n
        assert len(result.spans) == len(result.token_type_ids) == n


_REGISTRY: list[TokenizerRegistry] = []


def _shared_registry() -> TokenizerRegistry:
    if not _REGISTRY:
        _REGISTRY.append(TokenizerRegistry())
    return _REGISTRY[0]
