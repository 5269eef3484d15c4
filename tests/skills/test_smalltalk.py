import pytest

from skills.smalltalk import small_talk_reply


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("thanks!", "You're welcome"),
        ("Thank you so much :)", "You're welcome"),
        ("ok thanks", "You're welcome"),
        ("hi", "Hi!"),
        ("hey there", "Hi!"),
        ("good morning", "Hi!"),
        ("lol", "\U0001f604"),
        ("hahaha", "\U0001f604"),
        ("👍", "\U0001f604"),
        ("got it, makes sense", "Glad"),
        ("see you", "Bye"),
        ("bye!", "Bye"),
    ],
)
def test_small_talk_gets_a_friendly_reply(text, starts):
    reply = small_talk_reply(text)
    assert reply and reply.startswith(starts)


@pytest.mark.parametrize(
    "text",
    [
        "hi, what is lora?",
        "thanks, but why is the loss nan?",
        "what is an epoch",
        "ok so how many steps per epoch with 1000 examples",
        "what's the best pizza near campus?",
        "123",
        "?",
    ],
)
def test_questions_are_not_small_talk(text):
    assert small_talk_reply(text) is None
