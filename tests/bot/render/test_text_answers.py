"""What a person reads after asking: the answer with its sources, the whole card, the
instructor's queue, a resolution, a flag and an ingest report."""

from bot.app.results import (
    AskReply,
    CardPage,
    Flagged,
    IngestReport,
    IngestStatus,
    Resolution,
    UnansweredGroup,
    UnansweredQuestion,
)
from bot.render.text import (
    render_answer,
    render_card_page,
    render_flagged,
    render_ingest,
    render_resolution,
    render_unanswered,
)
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


def queued(qid, asker, text, *, flagged=False, answered_with=None) -> UnansweredQuestion:
    return UnansweredQuestion(
        qid, "2026-12-04", "general", asker, text, flagged=flagged, answered_with=answered_with
    )


def test_the_queue_groups_near_duplicates_and_says_how_to_resolve():
    big = UnansweredGroup(
        [
            queued(12, "Ana", "what is a token?"),
            queued(11, "Bo", "what's a token", flagged=True, answered_with="WordPiece"),
            queued(10, "Cy", "tokens?"),
            queued(9, "Ana", "what are tokens", flagged=True),
            queued(8, "Dee", "token meaning"),
            queued(7, "Eve", "define token"),
        ]
    )
    single = UnansweredGroup([queued(7, "Fay", "why is my loss nan?")])
    text = render_unanswered([big, single], "Resolve one with: unanswered resolve ID CARD")
    assert text.splitlines() == [
        "#12      x6  what is a token?   (Ana, Bo, Cy +2; 2026-12-04)",
        "            not what Bo asked: answered with WordPiece",
        "            not what Ana asked: answered with an ingested document or the "
        "instructor's answer",
        "            also: what's a token",
        "            also: tokens?",
        "            also: what are tokens",
        "            and 2 more",
        "#7           why is my loss nan?   (Fay; 2026-12-04)",
        "Resolve one with: unanswered resolve ID CARD",
    ]


def test_an_empty_queue_says_so():
    assert render_unanswered([], "Resolve one with: ...") == "No unanswered questions."


def test_a_resolution_with_a_card_names_the_first_three_questions():
    done = Resolution(
        [1, 2, 3, 4, 5, 6],
        ["what is a head?", "heads?", "attention head", "what do heads do", "multi-head?"],
        card="attention-heads",
        card_title="Attention heads",
    )
    assert render_resolution(done) == (
        "Resolved 6 queued question(s): “what is a head?”; “heads?”; “attention head” and 2 "
        "more now answer with the card Attention heads (attention-heads), for everyone who "
        "asks them again."
    )


def test_a_resolution_with_a_written_answer():
    done = Resolution([9], ["why is my loss nan?"], answer="Lower the learning rate.")
    assert render_resolution(done) == (
        "Resolved 1 queued question(s): “why is my loss nan?” now answer with your answer, "
        "for everyone who asks them again."
    )


def test_a_flag_thanks_the_student_once():
    assert render_flagged(Flagged(4, "what is a token?", True)) == (
        "Thanks: “what is a token?” is with the instructor now, who will point it at the "
        "right card or answer it."
    )
    assert render_flagged(Flagged(4, "what is a token?", False)) == (
        "“what is a token?” is already with the instructor."
    )


def test_an_ingest_report_line_per_file():
    reports = [
        IngestReport("week1.md", IngestStatus.ADDED, 12),
        IngestReport("week2.md", IngestStatus.REPLACED, 3),
        IngestReport(
            "copy.md", IngestStatus.UNCHANGED, 12, "the same text is already ingested as week1.md"
        ),
        IngestReport("slides.pptx", IngestStatus.ERROR, message="unsupported file type .pptx"),
    ]
    assert render_ingest(reports).splitlines() == [
        "✓ week1.md: added, 12 chunks",
        "✓ week2.md: replaced, 3 chunks",
        "✓ copy.md: unchanged, 12 chunks (the same text is already ingested as week1.md)",
        "✗ slides.pptx: unsupported file type .pptx",
    ]
    assert render_ingest([]) == "Nothing to ingest."
