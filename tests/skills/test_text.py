from hypothesis import given
from hypothesis import strategies as st

from skills.text import clean_user_text, normalise

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


@given(st.text(max_size=3000), st.integers(min_value=20, max_value=2000))
def test_clean_text_respects_the_limit_and_drops_invisibles(text, limit):
    cleaned = clean_user_text(text, limit)
    assert len(cleaned.text) <= limit
    assert not any(ch in cleaned.text for ch in INVISIBLE)
    assert cleaned.text == cleaned.text.strip()
    assert cleaned.truncated == (cleaned.original_length > limit)


@given(st.text(max_size=500))
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


def test_zero_width_characters_join_words():
    assert normalise("lo\u200bra  and\tpeft\u200d") == "lora and peft"


def test_truncation_note_names_both_lengths():
    cleaned = clean_user_text("word " * 1000, 100)
    assert cleaned.truncated
    assert "5,000" in cleaned.note(100) or "4,999" in cleaned.note(100)
    assert clean_user_text("short", 100).note(100) is None


def test_none_and_whitespace_are_empty():
    assert clean_user_text(None, 50).empty
    assert clean_user_text(" \u200b \n\t ", 50).empty
