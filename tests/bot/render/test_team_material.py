"""The jigsaw's team material as text: every card in full (explanation, key points, analogy,
table, common mistakes), at least as rich as the handout it replaces."""

import re

import pytest

from bot.app.jigsaw import CHECKLIST, TeamMaterial
from bot.render.text import render_table, render_team_material
from knowledge.cards import CardTable, cards_by_team, load_cards
from skills.course import JIGSAW_CONCEPTS


def material(team: int) -> TeamMaterial:
    cards = cards_by_team(load_cards(), team)
    checklist = [CHECKLIST[0].format(title=c.title) for c in cards] + CHECKLIST[1:]
    return TeamMaterial("server", f"team{team}", team, cards, checklist)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("team", sorted(JIGSAW_CONCEPTS))
def test_every_card_is_there_in_full(team):
    event = material(team)
    text = flat(render_team_material(event))
    assert text.startswith(f"Team {team}: your 4 concepts")
    for card in event.cards:
        for part in (card.title, card.explanation, card.analogy or "missing analogy"):
            assert flat(part) in text, (card.id, part)
        for item in (*card.key_points, *card.common_mistakes):
            assert flat(item) in text, (card.id, item)
    assert "Teach-back checklist" in text and "/jigsaw taught CONCEPT" in text


def test_each_card_reads_in_teaching_order():
    text = render_team_material(material(2))
    card = next(c for c in material(2).cards if c.id == "model-selection")
    start = text.index(card.title)
    order = [
        text.index(flat(card.explanation)[:40], start),
        text.index("Key points:", start),
        text.index("Analogy:", start),
        text.index("| SST-2 accuracy", start),
        text.index("Common mistakes:", start),
    ]
    assert order == sorted(order)


@pytest.mark.parametrize(
    ("team", "rows"),
    [
        (  # the handout's model table: sizes, speed and SST-2 accuracy
            2,
            [
                ("DistilBERT", "66M", "Fast", "~89%"),
                ("BERT-base", "110M", "Medium", "~92%"),
                ("RoBERTa", "125M", "Medium", "~94%"),
                ("DeBERTa", "86-304M", "Slower", "~95%"),
            ],
        ),
        (  # situation -> recommended model
            2,
            [
                ("Quick experiments", "DistilBERT"),
                ("Limited GPU memory", "DistilBERT or LoRA"),
                ("Production (fast inference)", "DistilBERT"),
            ],
        ),
        (  # hyperparameter ranges and their impact
            4,
            [
                ("learning_rate", "1e-5 to 5e-5", "High"),
                ("batch_size", "8, 16, 32", "Medium"),
                ("num_epochs", "2-5", "Medium"),
                ("warmup_ratio", "0.0-0.2", "Low"),
            ],
        ),
    ],
)
def test_the_handouts_tables_are_in_the_material(team, rows):
    lines = render_team_material(material(team)).splitlines()
    for row in rows:
        pattern = re.compile(r"\s*\|\s*".join(re.escape(cell) for cell in row) + r"\s*$")
        assert any(pattern.fullmatch(line) for line in lines), row


def test_tables_line_up_in_a_monospace_font():
    table = CardTable(("Model", "Params"), (("DistilBERT", "66M"), ("BERT-base", "110M")))
    lines = render_table(table).splitlines()
    assert lines == [
        "Model      | Params",
        "-----------+-------",
        "DistilBERT | 66M",
        "BERT-base  | 110M",
    ]
    assert len({line.index("|") for line in lines if "|" in line}) == 1
