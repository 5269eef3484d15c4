"""What a class reads during a jigsaw activity: phase announcements with the progress bar,
the status, the closing quiz's plan, the mastery grid, and a card's material in blocks."""

from pathlib import Path

from bot.app.jigsaw import Announcement, JigsawStatus, MasteryReady, QuizPlan, TeamMaterial
from bot.render.text import (
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
from knowledge.cards import Card, CardTable
from skills.jigsaw import ActivityFinished, MasteryGrid, Phase, PhaseStarted, TimeWarning


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
        "                team1      team2",
        "✓ Tokens    80% (n=5)    no data",
        "  LoRA      25% (n=4)  50% (n=2)",
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
