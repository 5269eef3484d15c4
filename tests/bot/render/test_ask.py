"""What a person reads after asking, from bot/render/ask.py: the answer with its sources and
related concepts, the whole card, and a flag's acknowledgement."""

from bot.app.results import AskReply, CardPage, Flagged
from bot.render.ask import render_answer, render_card_page, render_flagged
from knowledge.answers import Answer, Source

CARD = Source("tokens", "card", 0.8712, "Tokens and tokenizers")
DOCUMENT = Source("doc:3:1", "document", 0.553, "notes.md, part 1 (lines 1-9)")


def answered(**changes) -> Answer:
    fields = {
        "answered": True,
        "concept": "tokens",
        "title": "Tokens and tokenizers",
        "answer": "A token is a piece of text the model reads as one unit.",
        "confidence": 0.8712,
        "sources": [CARD, DOCUMENT],
        "related": [("bpe", "Byte-pair encoding"), ("wordpiece", "WordPiece")],
        "more": "tokens",
    }
    return Answer(**(fields | changes))


def test_an_answer_with_its_title_sources_related_card_and_flag():
    reply = AskReply("what is a token?", answered(), question_id=12)
    assert render_answer(reply, flag="/flag", more="/more").splitlines() == [
        "Tokens and tokenizers  [confidence 0.87]",
        "",
        "A token is a piece of text the model reads as one unit.",
        "",
        "Sources: Tokens and tokenizers (card, 0.87), notes.md, part 1 (lines 1-9) (document, 0.55)",
        "Related: Byte-pair encoding, WordPiece",
        "The whole card: /more",
        "Not what you asked? /flag 12 tells the instructor.",
    ]


def test_without_flag_or_more_the_answer_ends_with_its_related_concepts():
    text = render_answer(AskReply("what is a token?", answered(), question_id=12))
    assert text.splitlines()[-1] == "Related: Byte-pair encoding, WordPiece"
    assert "/flag" not in text and "whole card" not in text


def test_a_note_and_a_corrected_reading_come_first():
    reply = AskReply(
        "what is a tokn?",
        answered(read_as="what is a token?", related=[], more=None),
        note="your question was cut to 1,000 characters",
    )
    lines = render_answer(reply, flag="/flag", more="/more").splitlines()
    assert lines[:3] == [
        "(note: your question was cut to 1,000 characters)",
        "(read as: “what is a token?”)",
        "Tokens and tokenizers  [confidence 0.87]",
    ]
    assert not any(line.startswith(("Related", "The whole card", "Not what")) for line in lines)


def test_a_declined_question_has_no_title_no_related_and_no_flag():
    declined = answered(
        answered=False,
        title=None,
        answer="I am not sure; I kept your question for the instructor.",
        confidence=0.21,
        sources=[DOCUMENT],
    )
    text = render_answer(AskReply("what is a gizmo?", declined, question_id=4), flag="/flag")
    assert text.splitlines() == [
        "I am not sure; I kept your question for the instructor.",
        "",
        "Sources: notes.md, part 1 (lines 1-9) (document, 0.55)",
    ]


def test_an_off_topic_question_cites_no_source():
    off = answered(answered=False, title=None, answer="That is outside the course.", off_topic=True)
    assert render_answer(AskReply("best pizza?", off, question_id=5)) == (
        "That is outside the course."
    )


def test_small_talk_is_only_the_friendly_reply():
    chat = Answer(True, None, "ignored", "You're welcome!", 1.0, [CARD])
    reply = AskReply("thanks!", chat, note="ignored too", small_talk=True)
    assert render_answer(reply, flag="/flag", more="/more") == "You're welcome!"


def test_no_flag_line_without_a_recorded_question():
    text = render_answer(AskReply("what is a token?", answered()), flag="/flag")
    assert "Not what you asked?" not in text


def test_a_card_page_is_its_title_then_its_text():
    page = CardPage("tokens", "Tokens and tokenizers", "Line one.\nLine two.")
    assert render_card_page(page) == "Tokens and tokenizers\n\nLine one.\nLine two."


def test_a_flag_thanks_the_student_once():
    assert render_flagged(Flagged(4, "what is a token?", True)) == (
        "Thanks: “what is a token?” is with the instructor now, who will point it at the "
        "right card or answer it."
    )
    assert render_flagged(Flagged(4, "what is a token?", False)) == (
        "“what is a token?” is already with the instructor."
    )


def test_an_answer_without_sources_or_related_ends_with_its_text():
    reply = AskReply("what is a token?", answered(sources=[], related=[], more=None))
    assert render_answer(reply, more="/more").splitlines() == [
        "Tokens and tokenizers  [confidence 0.87]",
        "",
        "A token is a piece of text the model reads as one unit.",
    ]


def test_the_confidence_and_each_sources_score_have_two_decimals():
    reply = AskReply(
        "q",
        answered(confidence=0.999, sources=[Source("x", "card", 0.005, "X")], related=[]),
    )
    lines = render_answer(reply).splitlines()
    assert lines[0] == "Tokens and tokenizers  [confidence 1.00]"
    assert lines[-1] == "Sources: X (card, 0.01)"


def test_an_answer_with_no_whole_card_offers_none_and_a_flag_names_its_question():
    reply = AskReply("q", answered(more=None), question_id=3071)
    lines = render_answer(reply, flag="!flag", more="!more").splitlines()
    assert not any(line.startswith("The whole card") for line in lines)
    assert lines[-1] == "Not what you asked? !flag 3071 tells the instructor."


def test_a_card_page_keeps_its_text_as_written():
    page = CardPage("x", "X", "")
    assert render_card_page(page) == "X\n\n"
    odd = CardPage("y", "“Quotes” & <tags>", "  indented\n\n\nthree blank lines")
    assert render_card_page(odd) == "“Quotes” & <tags>\n\n  indented\n\n\nthree blank lines"
