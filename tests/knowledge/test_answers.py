import pytest

from knowledge.answers import KnowledgeBase
from knowledge.cards import load_cards
from knowledge.index import HybridIndex, card_passages


@pytest.fixture(scope="module")
def kb(real_encoder, tmp_path_factory):
    cards = load_cards()
    index, _ = HybridIndex.load_or_build(
        tmp_path_factory.mktemp("kb"), card_passages(cards), real_encoder, "m"
    )
    return KnowledgeBase(cards, index, threshold=0.5)


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        (
            "how many steps per epoch if I have 1000 examples and batch size 10",
            "epochs-batches-steps",
        ),
        ("what is the cls token for", "special-tokens"),
        ("how does low rank adaptation work", "lora-and-peft"),
        ("how do I know if my model is overfitting?", "overfitting"),
        ("what is the 80/10/10 masking rule", "masked-language-modeling"),
        ("whats the diffrence between pretrainng and finetunning", "pretraining-vs-finetuning"),
    ],
)
def test_concept_questions_get_the_right_card(kb, question, concept):
    answer = kb.answer(question)
    assert answer.answered
    assert answer.concept == concept
    card = kb.cards[concept]
    assert answer.answer.startswith(card.explanation)
    assert answer.sources[0].id == concept and answer.sources[0].kind == "card"
    assert [s.score for s in answer.sources] == sorted(
        (s.score for s in answer.sources), reverse=True
    )
    assert 1 <= len(answer.related) <= 2


@pytest.mark.parametrize(
    "question",
    [
        "what's the best pizza near campus?",
        "who won the football game last night",
        "tell me a joke",
    ],
)
def test_off_topic_questions_are_not_answered_confidently(kb, question):
    answer = kb.answer(question)
    assert not answer.answered
    assert answer.concept is None
    assert "not sure" in answer.answer
    assert answer.related  # closest concepts are offered
    assert answer.confidence < kb.threshold


def test_json_shape(kb):
    data = kb.answer("what is an attention mask").to_json()
    assert set(data) >= {"answered", "concept", "title", "answer", "confidence", "sources"}
    assert all(set(s) == {"id", "kind", "score"} for s in data["sources"])
