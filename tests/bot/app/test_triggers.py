import pytest

from bot.app.triggers import parse_trigger


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("tokenize this: Hello there", ("tokenize", "Hello there")),
        ("Tokenise: colour", ("tokenize", "colour")),
        ("mask this: The [MASK] sat.", ("mask", "The [MASK] sat.")),
        ("fill-mask: a ___ b", ("mask", "a ___ b")),
        ("  TOKENIZE THAT:   x  ", ("tokenize", "x")),
    ],
)
def test_triggers(message, expected):
    assert parse_trigger(message) == expected


@pytest.mark.parametrize("message", ["what is tokenization?", "how do I mask tokens", "tokenize"])
def test_questions_are_not_triggers(message):
    assert parse_trigger(message) is None
