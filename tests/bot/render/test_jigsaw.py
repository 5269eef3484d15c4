"""What a class reads during a jigsaw activity, from bot/render/jigsaw.py: each team's
material (every card in full, at least as rich as the handout it replaces; a card's table in
aligned columns), phase announcements with the progress bar, the status, the closing quiz's
plan and the mastery grid."""

import re
from pathlib import Path

import pytest

from bot.app.jigsaw import (
    CHECKLIST,
    Announcement,
    JigsawStatus,
    MasteryReady,
    QuizPlan,
    TeamMaterial,
)
from bot.render.jigsaw import (
    card_material,
    progress_bar,
    render_announcement,
    render_jigsaw_event,
    render_jigsaw_status,
    render_mastery,
    render_quiz_plan,
    render_table,
    render_team_material,
    team_material_parts,
)
from knowledge.cards import Card, CardTable, cards_by_team, load_cards
from skills.course import JIGSAW_CONCEPTS
from skills.jigsaw import ActivityFinished, MasteryGrid, Phase, PhaseStarted, TimeWarning

# --- the course's team material ---------------------------------------------------------------


def course_material(team: int) -> TeamMaterial:
    cards = cards_by_team(load_cards(), team)
    checklist = [CHECKLIST[0].format(title=c.title) for c in cards] + CHECKLIST[1:]
    return TeamMaterial("server", f"team{team}", team, cards, checklist)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("team", sorted(JIGSAW_CONCEPTS))
def test_every_card_is_there_in_full(team):
    event = course_material(team)
    text = flat(render_team_material(event))
    assert text.startswith(f"Team {team}: your 4 concepts")
    for card in event.cards:
        for part in (card.title, card.explanation, card.analogy or "missing analogy"):
            assert flat(part) in text, (card.id, part)
        for item in (*card.key_points, *card.common_mistakes):
            assert flat(item) in text, (card.id, item)
    assert "Teach-back checklist" in text and "/jigsaw taught CONCEPT" in text


def test_each_card_reads_in_teaching_order():
    text = render_team_material(course_material(2))
    card = next(c for c in course_material(2).cards if c.id == "model-selection")
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
    lines = render_team_material(course_material(team)).splitlines()
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


# --- the activity as it runs -------------------------------------------------------------------


def test_the_progress_bar_counts_concepts_covered():
    assert progress_bar(5, 20) == "[█████···············] 5/20 concepts covered"
    assert progress_bar(20, 20, width=4) == "[████] 20/20 concepts covered"
    assert progress_bar(0, 0, width=4) == "[····] 0/0 concepts covered"  # nothing to cover


def announced(event) -> Announcement:
    return Announcement("morning", "class", event, 5, 20)


def test_announcements_of_a_phase_a_warning_and_the_end():
    bar = "[█████···············] 5/20 concepts covered"
    teach = Phase("teach", 4.0, 3)
    assert render_announcement(announced(PhaseStarted(teach, 5, 8, 245.0))) == (
        f"Phase 5/8: teach: team3 (4:05). {bar}"
    )
    assert render_announcement(announced(TimeWarning(Phase("learn", 10.0), 60.0))) == (
        f"1:00 left in learn. {bar}"
    )
    assert render_announcement(announced(ActivityFinished("stopped"))) == (
        f"The activity has stopped. {bar}"
    )


def status(state: str, phase: str, seconds_left=95.0, taught=None) -> JigsawStatus:
    return JigsawStatus(2, state, phase, seconds_left, 8, 20, taught or {})


def test_the_status_of_a_running_a_paused_and_an_ended_activity():
    bar = "[████████············] 8/20 concepts covered"
    running = status("running", "teach: team2", taught={3: ["lora"], 1: ["tokens", "bpe"]})
    assert render_jigsaw_status(running).splitlines() == [
        f"Activity #2: teach: team2, 1:35 left. {bar}",
        "  team1 taught: tokens, bpe",
        "  team3 taught: lora",
    ]
    assert render_jigsaw_status(status("paused", "prepare")) == (
        f"Activity #2: prepare, paused. {bar}"
    )
    assert render_jigsaw_status(status("stopped", "teach: team4")) == (
        f"Activity #2 stopped during teach: team4. {bar}"
    )
    assert render_jigsaw_status(status("finished", "finished")) == f"Activity #2 finished. {bar}"


def plan(covered, *, questions=0, extra_time=1.0, left_out=()) -> QuizPlan:
    return QuizPlan(
        "morning", "class", list(covered), list(left_out), 30.0, 5.0, extra_time, questions
    )


def test_the_closing_quizs_plan_with_extra_time_and_what_is_left_out():
    titles = {"lora": "LoRA", "bpe": "Byte-pair encoding"}
    text = render_quiz_plan(plan(["tokens", "masks", "heads"], left_out=["lora", "bpe"]), titles)
    assert text == (
        "Closing quiz: 3 questions, one per concept, 30 s each with 5 s between them. "
        "Not enough time for: LoRA, Byte-pair encoding."
    )
    fewer = render_quiz_plan(plan(["tokens", "masks", "heads"], questions=2, extra_time=1.5), {})
    assert fewer == (
        "Closing quiz: 2 questions, on 3 concepts (some questions test two), 30 s each with 5 s "
        "between them. Students with extra time get up to 45 s; a question's results wait "
        "until they have answered."
    )


def test_a_closing_quiz_of_one_question_says_one_question():
    assert render_quiz_plan(plan(["tokens"], questions=1), {}).startswith(
        "Closing quiz: 1 question, one per concept,"
    )


def test_the_mastery_grid_by_team_and_concept_with_what_to_revisit():
    grid = MasteryGrid(
        ["tokens", "lora"],
        (1, 2),
        {"tokens": {1: (0.8, 5), 2: (None, 0)}, "lora": {1: (0.25, 4), 2: (0.5, 2)}},
        frozenset({"tokens"}),
        unplaced=1,
    )
    event = MasteryReady("morning", "class", 2, grid, None)
    lines = render_mastery(event, {"tokens": "Tokens", "lora": "LoRA"}).splitlines()
    assert lines[4].startswith("1 answer came from students in no team")
    assert lines[4].endswith("put everyone in a team (teams balance) before the next activity.")
    assert lines[:4] + lines[5:] == [
        "Mastery grid of activity #2: share of quiz credit per team and concept, with the "
        "number of answers behind it (✓ = taught):",
        " " * 14 + "team1      team2",  # each column as wide as its widest cell, 2 apart
        "✓ Tokens  80% (n=5)    no data",
        "  LoRA    25% (n=4)  50% (n=2)",
        "Revisit first:",
        "  LoRA: 33% over 6 answers (card: /ask LoRA)",
        "  Tokens: 80% over 5 answers (card: /ask Tokens)",
    ]
    with_image = MasteryReady("morning", "class", 2, grid, Path("/data/jigsaw/2.png"))
    assert render_mastery(with_image, {}).endswith("\nImage: /data/jigsaw/2.png")
    assert "Image:" not in render_mastery(with_image, {}, paths=False)


CARD = Card(
    "tokens",
    "Tokens and tokenizers",
    1,
    "A token is a piece of text\nthat the model reads as one unit.\n\nIds, not words.",
    ("Models read ids.",),
    ("A token is not a word.",),
    analogy="Like  syllables\nin speech.",
    table=CardTable(("tokenizer", "model"), (("WordPiece", "BERT"), ("byte-level BPE", "GPT-2"))),
)


def test_a_cards_table_is_aligned_columns():
    assert render_table(CARD.table).splitlines() == [
        "tokenizer      | model",
        "---------------+------",
        "WordPiece      | BERT",
        "byte-level BPE | GPT-2",
    ]


def test_a_card_as_a_team_studies_it_one_paragraph_a_line():
    assert card_material(CARD, 3) == [
        "3. Tokens and tokenizers\nA token is a piece of text that the model reads as one "
        "unit.\n\nIds, not words.",
        "Key points:\n  • Models read ids.",
        "Analogy: Like syllables in speech.",
        render_table(CARD.table),
        "Common mistakes:\n  • A token is not a word.",
    ]
    bare = Card("x", "X", 1, "Text.", ("Point.",), ("Mistake.",))
    assert card_material(bare, 1) == [
        "1. X\nText.",
        "Key points:\n  • Point.",
        "Common mistakes:\n  • Mistake.",
    ]
    assert card_material(CARD, 1, table=lambda t: "TABLE")[3] == "TABLE"


def test_team_material_is_one_part_per_card_then_the_checklist():
    other = Card("bpe", "Byte-pair encoding", 1, "Merges.", ("Frequent pairs.",), ("Not words.",))
    event = TeamMaterial("morning", "team1", 1, [CARD, other], ["Explain tokens.", "Warn."])
    parts = team_material_parts(event)
    assert len(parts) == 3
    assert parts[0][0].startswith(
        "Team 1: your 2 concepts to learn, prepare and teach.\n\n1. Tokens and tokenizers\n"
    )
    assert parts[1][0] == "2. Byte-pair encoding\nMerges."
    assert parts[2] == [
        "Teach-back checklist for Team 1:\n  [ ] Explain tokens.\n  [ ] Warn.",
        "When you have taught a concept: /jigsaw taught CONCEPT",
    ]
    empty = TeamMaterial("morning", "team5", 5, [], [])
    assert team_material_parts(empty)[0] == ["Team 5: your 0 concepts to learn, prepare and teach."]


def test_jigsaw_events_render_by_their_kind():
    material = TeamMaterial("morning", "team1", 1, [CARD], ["Explain tokens."])
    assert render_jigsaw_event(material, {}) == render_team_material(material)
    warning = announced(TimeWarning(Phase("quiz", 3.0), 30.0))
    assert render_jigsaw_event(warning, {}) == render_announcement(warning)
    quiz = plan(["tokens"], questions=1)
    assert render_jigsaw_event(quiz, {}) == render_quiz_plan(quiz, {})


def test_a_mastery_event_renders_as_the_grid():
    grid = MasteryGrid(["tokens"], (1,), {"tokens": {1: (0.5, 2)}})
    event = MasteryReady("morning", "class", 4, grid, Path("/data/jigsaw/4.png"))
    assert render_jigsaw_event(event, {"tokens": "Tokens"}) == render_mastery(
        event, {"tokens": "Tokens"}
    )
    assert render_jigsaw_event(event, {}).endswith("Image: /data/jigsaw/4.png")


def test_a_grid_with_full_credit_or_no_data_has_nothing_to_revisit():
    grid = MasteryGrid(
        ["tokens", "lora"],
        (1, 2),
        {"tokens": {1: (1.0, 3), 2: (1.0, 1)}, "lora": {1: (None, 0), 2: (None, 0)}},
        unplaced=2,
    )
    lines = render_mastery(MasteryReady("m", "c", 1, grid, None), {}).splitlines()
    assert lines[2:] == [
        "  tokens  100% (n=3)  100% (n=1)",  # full cells never touch their neighbour
        "  lora" + " " * 7 + "no data     no data",
        "2 answers came from students in no team and are in no column: put everyone in a team "
        "(teams balance) before the next activity.",
    ]
    assert not any(line.startswith("Revisit") for line in lines)


def test_a_long_concept_title_widens_the_grids_first_column():
    title = "Parameter-efficient fine-tuning with low-rank adapters"
    grid = MasteryGrid(["lora", "bpe"], (3,), {"lora": {3: (0.25, 4)}, "bpe": {3: (0.75, 4)}})
    lines = render_mastery(MasteryReady("m", "c", 1, grid, None), {"lora": title}).splitlines()
    assert lines[1] == " " * (len(title) + 4) + "    team3"
    assert lines[2] == f"  {title}  25% (n=4)"
    assert lines[3] == "  bpe" + " " * (len(title) - 3) + "  75% (n=4)"


def test_an_activity_status_counts_down_in_minutes_and_seconds():
    assert render_jigsaw_status(status("running", "learn", seconds_left=0.0)).startswith(
        "Activity #2: learn, 0:00 left."
    )
    assert render_jigsaw_status(status("running", "learn", seconds_left=3599.9)).startswith(
        "Activity #2: learn, 59:59 left."
    )
    assert render_jigsaw_status(status("running", "learn", seconds_left=7260.0)).startswith(
        "Activity #2: learn, 121:00 left."
    )


def test_a_closing_quiz_that_fits_everything_leaves_nothing_out():
    text = render_quiz_plan(plan(["tokens", "masks"], extra_time=1.0), {"tokens": "Tokens"})
    assert text == ("Closing quiz: 2 questions, one per concept, 30 s each with 5 s between them.")


def test_full_cells_of_the_mastery_grid_never_run_together():
    grid = MasteryGrid(["tokens"], (1, 2), {"tokens": {1: (1.0, 12), 2: (1.0, 150)}})
    lines = render_mastery(MasteryReady("m", "c", 1, grid, None), {}).splitlines()
    assert lines[2] == "  tokens  100% (n=12)  100% (n=150)"
    assert lines[1].endswith("team1" + " " * 9 + "team2")  # headers over their columns' right edge
