import pytest

from knowledge.answers import KnowledgeBase
from knowledge.cards import load_cards
from knowledge.index import HybridIndex, card_passages


@pytest.fixture(scope="session")
def kb(real_encoder, shared_index_dir) -> KnowledgeBase:
    """The cards' knowledge base at the default threshold, for tests that only ask (none
    changes it): embedded once per session, in the session's shared index folder."""
    cards = load_cards()
    index, _ = HybridIndex.load_or_build(
        shared_index_dir,
        card_passages(cards),
        real_encoder,
        "sentence-transformers/all-MiniLM-L6-v2",
    )
    return KnowledgeBase(cards, index, threshold=0.5)
