"""A casual question is searched as its plain reading (knowledge/slang.py)."""

import pytest

from knowledge.slang import plain_reading


@pytest.mark.parametrize(
    ("question", "plain"),
    [
        ("yo whats lora lol", "what is lora"),
        ("ngl idk what attention even is", "what attention even is"),
        ("tokenizer be chopping my words smh", "tokenizer is chopping my words"),
        ("distilbert is just bert on a diet or what", "distilbert is just bert on a diet"),
        ("how does bert work fr fr", "how does bert work"),
        ("ngl i dont get what a token even is", "what a token even is"),
        ("whats the deal with LoRA", "what is LoRA"),
        ("can u break down distilbert real quick", "explain distilbert"),
        ("yo what does [PAD] do", "what does [PAD] token do"),
    ],
)
def test_fillers_go_and_spoken_forms_are_written_out(question, plain):
    assert plain_reading(question) == plain


@pytest.mark.parametrize(
    "question",
    [
        "what is lora",
        "is the lora rank r like a matrix size?",
        "what is cos similarity",  # "cos" is cosine here, not "because"
        "how do you know when to stop fine-tuning",
        "can the model be overfitting",  # a modal's "be" is no habitual "be"
        "what is the [CLS] token for",  # a special token already called a token
        "i dont get it",  # no question left once "i dont get" goes
        "hi",
        "lol",
        "",
    ],
)
def test_a_plain_question_or_one_with_nothing_left_is_not_rewritten(question):
    assert plain_reading(question) is None


def test_a_casual_question_is_answered_from_its_card(kb):
    answer = kb.answer("yo whats lora lol")
    assert answer.answered and answer.concept == "lora-and-peft"
    assert answer.read_as is None  # nothing was misspelled: no "read as" line to show


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        ("ngl i dont get what a token even is", "tokenization"),
        ("yo what does [PAD] do", "special-tokens"),
        ("can u break down distilbert real quick", "bert-family"),
        (
            "whats even the difference between all these bert spinoffs, theres like 5 of them",
            "bert-family",
        ),
    ],
)
def test_a_question_asked_in_passing_is_answered_not_declined(kb, question, concept):
    answer = kb.answer(question)
    assert answer.answered and answer.concept == concept
