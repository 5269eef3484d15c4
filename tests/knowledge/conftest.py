import pytest

from knowledge.answers import KnowledgeBase
from knowledge.cards import load_cards
from knowledge.index import HybridIndex, card_passages
from knowledge.question_classifier import load_classifier


@pytest.fixture(scope="session")
def kb(real_encoder, shared_index_dir) -> KnowledgeBase:
    """The cards' knowledge base at the default threshold, as the bot answers (with the
    question classifier), for tests that only ask (none changes it): embedded once per
    session, in the session's shared index folder."""
    cards = load_cards()
    model = "sentence-transformers/all-MiniLM-L6-v2"
    index, _ = HybridIndex.load_or_build(
        shared_index_dir,
        card_passages(cards),
        real_encoder,
        model,
        classifier=load_classifier(model),
    )
    return KnowledgeBase(cards, index, threshold=0.5)


@pytest.fixture(scope="session")
def retrieval_kb(kb, real_encoder) -> KnowledgeBase:
    """The same knowledge base ranking by retrieval alone, without the question classifier:
    for tests of a mechanism whose outcome on one question the classifier may change."""
    index = HybridIndex(list(kb.index.passages), kb.index.vectors, real_encoder)
    return KnowledgeBase(list(kb.cards.values()), index, threshold=kb.threshold)
