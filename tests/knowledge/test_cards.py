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


# --- tables ------------------------------------------------------------------------------------

TABLE = "| Model | Params |\n|---|---|\n| DistilBERT | 66M |\n| BERT-base | 110M |"


def with_table(table: str) -> str:
    card = GOOD.format(id="tabled", related="[]")
    return card.replace("## Common mistakes", f"## Table\n{table}\n\n## Common mistakes")


def test_a_table_section_is_parsed_into_rows(tmp_path):
    write(tmp_path, "tabled.md", with_table(TABLE))
    [card] = load_cards(tmp_path)
    assert card.table is not None
    assert card.table.header == ("Model", "Params")
    assert card.table.rows == (("DistilBERT", "66M"), ("BERT-base", "110M"))


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ("", "needs a header row"),
        ("| Model | Params |\n|---|---|", "needs a header row"),
        ("| Model | Params |\n| DistilBERT | 66M |\n| BERT | 110M |", "separator"),
        ("| Model | Params |\n|---|---|\n| DistilBERT | 66M | fast |", "row 3 has 3 cells"),
        ("| Model | Params |\n|---|\n| DistilBERT | 66M |", "row 2 has 1 cells"),
        ("| Model | Params |\n|---|---|\nDistilBERT is small", "line 3 is not a table row"),
        ("Sizes:\n" + TABLE, "line 1 is not a table row"),
        ("| Model | Params |\n|---|---|\n| DistilBERT |  |", "empty cell"),
    ],
)
def test_a_malformed_table_is_a_card_problem(tmp_path, table, problem):
    write(tmp_path, "tabled.md", with_table(table))
    cards, problems = check_cards(tmp_path)
    assert cards == []
    assert len(problems) == 1 and problems[0].startswith("tabled.md: '## Table'"), problems
    assert problem in problems[0]


HANDOUT_FIGURES = {  # the jigsaw handout's and the chapter summary's tables, figure for figure
    "model-selection": [
        ("DistilBERT", "66M", "Fast", "~89%"),
        ("BERT-base", "110M", "Medium", "~92%"),
        ("RoBERTa", "125M", "Medium", "~94%"),
        ("DeBERTa", "86-304M", "Slower", "~95%"),
    ],
    "when-to-use-what": [
        ("Quick experiments", "DistilBERT"),
        ("Best accuracy", "RoBERTa or DeBERTa"),
        ("Limited GPU memory", "DistilBERT or LoRA"),
        ("Production (fast inference)", "DistilBERT"),
    ],
    "hyperparameter-tuning": [
        ("learning_rate", "1e-5 to 5e-5", "High"),
        ("batch_size", "8, 16, 32", "Medium"),
        ("num_epochs", "2-5", "Medium"),
        ("warmup_ratio", "0.0-0.2", "Low"),
    ],
    "parameters-and-size": [
        ("Layers", "12", "24"),
        ("Hidden size", "768", "1024"),
        ("Attention heads", "12", "16"),
        ("Parameters", "110M", "340M"),
    ],
}


@pytest.mark.parametrize("concept", sorted(HANDOUT_FIGURES))
def test_tables_carry_the_handouts_figures(concept):
    card = {c.id: c for c in load_cards()}[concept]
    assert card.table is not None
    assert list(card.table.rows) == HANDOUT_FIGURES[concept]


def test_every_jigsaw_concept_has_an_analogy():
    assert [c.id for c in load_cards() if c.team and not c.analogy] == []


# --- students ask ------------------------------------------------------------------------------


def test_students_ask_lines_are_parsed_and_each_indexed_as_a_passage(tmp_path):
    from knowledge.index import card_passages

    asked = "- my loss turns into nan\n- why is lr=2e-5 so small?"
    write(
        tmp_path,
        "asked.md",
        GOOD.format(id="asked", related="[]") + f"\n## Students ask\n{asked}\n",
    )
    [card] = load_cards(tmp_path)
    assert card.students_ask == ("my loss turns into nan", "why is lr=2e-5 so small?")
    texts = [p.text for p in card_passages([card]) if p.section == "students ask"]
    assert texts == ["A title: my loss turns into nan", "A title: why is lr=2e-5 so small?"]


def test_students_ask_without_bullets_is_a_card_problem(tmp_path):
    write(tmp_path, "prose.md", GOOD.format(id="prose", related="[]") + "\n## Students ask\nwhy?\n")
    cards, problems = check_cards(tmp_path)
    assert cards == [] and problems == ["prose.md: '## Students ask' needs '- ' bullet points"]


def test_every_card_says_how_students_ask_about_it():
    assert [c.id for c in load_cards() if len(c.students_ask) < 5] == []
