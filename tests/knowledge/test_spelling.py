"""The speller: misspelled course words read as meant, real words never changed."""

import pytest

from knowledge.spelling import Speller, distance

COURSE = [
    "Attention lets each token look at the others, with a mask for padding.",
    "Which model to use for sentiment classification, with a tokenizer and a vocabulary.",
    "with with with with with",  # "with" far more frequent in the course than "which"
]


@pytest.fixture(scope="module")
def speller():
    return Speller(COURSE)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("atention", "attention", 1), ("modle", "model", 1), ("wich", "which", 1), ("abc", "abc", 0)],
)
def test_distance_counts_edits_and_swaps(a, b, expected):
    assert distance(a, b, 2) == expected


def test_distance_stops_past_its_limit():
    assert distance("pancakes", "attention", 2) == 3


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("atention", "attention"),
        ("tokenzier", "tokenizer"),
        ("sentimnet", "sentiment"),
        # one edit from both "which" and "with": a dropped letter is the likelier slip
        ("wich", "which"),
    ],
)
def test_a_misspelled_course_word_is_read_as_meant(speller, typed, meant):
    assert speller.fix(typed) == meant


@pytest.mark.parametrize("word", ["pancakes", "football", "tokens", "masks", "at", "xqzvw"])
def test_known_short_or_far_words_are_left_alone(speller, word):
    assert speller.fix(word) is None


def test_a_question_is_corrected_word_by_word(speller):
    assert speller.correct("wich atention mask") == "which attention mask"
    assert speller.correct("which attention mask") is None
