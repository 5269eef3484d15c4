import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills.text import clean_user_text, normalise, readable

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


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        (
            "# Week 7\n\n**Office hours** move to *Thursday*.",
            "Week 7\n\nOffice hours move to Thursday.",
        ),
        ("- one\n- two\n1. three", "• one\n• two\n• three"),
        (
            "Read [the notes](https://example.org/n) and ![a plot](p.png).",
            "Read the notes and a plot.",
        ),
        ("Set `requires_grad` on snake_case_names.", "Set requires_grad on snake_case_names."),
        ("```python\nx = 1\n```", "x = 1"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "a | b\n1 | 2"),
        ("$\\frac{QK^{T}}{\\sqrt{d_k}}$", "(QK^T)/(√(d_k))"),
        ("$$\\sum_{i=1}^{n} x_i \\cdot w_i \\leq \\alpha$$", "Σ_(i=1)^n x_i · w_i ≤ α"),
        ("Loss \\(\\mathcal{L} = -\\log p\\)", "Loss L = -log p"),
        ("It costs $5 and $10.", "It costs $5 and $10."),
        ("line<br>break and <b>bold</b>", "line\nbreak and bold"),
    ],
)
def test_readable_turns_markdown_and_latex_into_plain_text(markup, text):
    assert readable(markup) == text


@given(st.text(max_size=400))
def test_readable_never_fails(text):
    readable(text)
