from pathlib import Path

import pytest

from knowledge.cards import CARDS_DIR, CardError, cards_by_team, check_cards, load_cards

FIXED_IDS = {
    1: ["pretraining-vs-finetuning", "transfer-learning", "transformer-architecture", "attention"],
    2: ["bert-family", "model-selection", "parameters-and-size", "when-to-use-what"],
    3: ["tokenization", "subwords-and-vocabulary", "special-tokens", "attention-masks-and-padding"],
    4: [
        "epochs-batches-steps",
        "learning-rate-and-warmup",
        "loss-and-gradients",
        "hyperparameter-tuning",
    ],
    5: ["lora-and-peft", "evaluation-metrics", "overfitting", "hardware"],
}
NO_TEAM_IDS = [
    "masked-language-modeling",
    "next-sentence-prediction",
    "autoregressive-modeling",
    "causal-masking",
    "bert-vs-gpt",
    "few-shot-learning",
    "t5-text-to-text",
    "tokenizer-algorithms",
    "contextual-embeddings",
    "catastrophic-forgetting",
    "layer-freezing",
    "generation-strategies",
    "softmax-and-temperature",
    "bert-layer-representations",
    "pretraining-cost",
    "domain-adaptive-pretraining",
    "gradient-accumulation",
    "knowledge-distillation",
    "limitations-and-bias",
    "when-not-to-use-pretrained",
]


def test_every_card_is_valid():
    cards, problems = check_cards(CARDS_DIR)
    assert problems == [], "broken cards:\n" + "\n".join(problems)
    assert len(cards) == 40
    assert len({c.id for c in cards}) == 40


@pytest.mark.parametrize("team", sorted(FIXED_IDS))
def test_team_concepts_have_the_fixed_ids(team):
    assert [c.id for c in cards_by_team(load_cards(), team)] == FIXED_IDS[team]


def test_concepts_outside_the_jigsaw_have_no_team():
    cards = {c.id: c for c in load_cards()}
    for concept_id in NO_TEAM_IDS:
        assert cards[concept_id].team is None, concept_id


def test_cards_carry_explanation_points_and_mistakes():
    for card in load_cards():
        assert len(card.explanation.split()) >= 40, card.id
        assert len(card.key_points) >= 3, card.id
        assert card.common_mistakes, card.id
        assert card.related, card.id


GOOD = """+++
id = "{id}"
title = "A title"
related = {related}
+++
## Explanation
Some text.

## Key points
- one

## Common mistakes
- two
"""


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text)


def test_checker_lists_every_broken_file(tmp_path):
    write(tmp_path, "good.md", GOOD.format(id="good", related='["missing-card"]'))
    write(tmp_path, "no-front.md", "## Explanation\ntext\n")
    write(tmp_path, "bad-toml.md", "+++\nid = \n+++\n## Explanation\nx\n")
    write(tmp_path, "wrong-name.md", GOOD.format(id="other-name", related="[]"))
    write(
        tmp_path,
        "no-points.md",
        GOOD.format(id="no-points", related="[]").replace("- one", "just prose"),
    )
    write(
        tmp_path,
        "team9.md",
        GOOD.format(id="team9", related="[]").replace("title", "team = 9\ntitle"),
    )
    _, problems = check_cards(tmp_path)
    text = "\n".join(problems)
    for name in ("no-front.md", "bad-toml.md", "wrong-name.md", "no-points.md", "team9.md"):
        assert name in text, f"{name} not reported:\n{text}"
    assert "related id 'missing-card' has no card" in text
    with pytest.raises(CardError) as err:
        load_cards(tmp_path)
    assert len(err.value.problems) == len(problems)
