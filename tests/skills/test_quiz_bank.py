from collections import Counter

import pytest

from knowledge.cards import load_cards
from skills.quiz.bank import QUIZ_DIR, BankError, check_bank_data, check_banks, load_banks
from skills.quiz.gift import GiftError, parse_gift

CONCEPT_IDS = {c.id for c in load_cards()}


def test_every_bank_is_valid():
    questions, problems = check_banks(QUIZ_DIR, CONCEPT_IDS)
    assert problems == [], "broken banks:\n" + "\n".join(problems)
    per_team = Counter(q.team for q in questions)
    assert all(per_team[team] >= 8 for team in range(1, 6)), per_team
    assert len(questions) >= 40


def test_banks_cover_every_kind_and_the_course_questions():
    questions = load_banks(concept_ids=CONCEPT_IDS)
    assert {q.kind for q in questions} == {"choice", "numeric", "free", "live"}
    course = Counter(q.team for q in questions if q.source == "course")
    assert course == {1: 2, 2: 2, 3: 2, 4: 2, 5: 2}


def test_team_questions_test_that_teams_concepts():
    cards = {c.id: c for c in load_cards()}
    for q in load_banks(concept_ids=CONCEPT_IDS):
        assert any(cards[c].team == q.team for c in q.concepts), q.id


def test_checker_lists_every_problem(tmp_path):
    (tmp_path / "bad.toml").write_text(
        """team = 9
[[questions]]
id = "a"
kind = "choice"
concepts = ["no-such-concept"]
prompt = "?"
choices = ["x"]
answer = 3

[[questions]]
id = "b"
kind = "numeric"
concepts = ["attention"]
prompt = "How many?"
answer = "many"

[[questions]]
id = "c"
kind = "free"
concepts = ["attention"]
prompt = "Why?"

[[questions]]
id = "d"
kind = "riddle"
concepts = []
prompt = ""
"""
    )
    (tmp_path / "broken.toml").write_text("team = [")
    _, problems = check_banks(tmp_path, CONCEPT_IDS)
    text = "\n".join(problems)
    for expected in [
        "team must be 1-5",
        "unknown concept 'no-such-concept'",
        "at least 2 choices",
        "numeric answer",
        "reference answer",
        "kind must be one of",
        "prompt is missing",
        "broken.toml: not valid TOML",
    ]:
        assert expected in text, f"{expected!r} not reported:\n{text}"
    with pytest.raises(BankError):
        load_banks(tmp_path, CONCEPT_IDS)


GIFT = """// week 6 quiz
$CATEGORY: week6

::q1:: Which model is distilled from BERT? {=DistilBERT ~RoBERTa ~GPT-2#feedback}

::q2:: BERT masks 15% of tokens. {T}

::q3:: Steps per epoch for 1000 examples at batch 10? {#100}

::q4:: LoRA rank range? {#8..32}

::q5:: In BERT\\: what does CLS stand for? {=classification =classify}
"""


def test_gift_import():
    raw = parse_gift(GIFT, concepts=["bert-family"], team=2, prefix="w6")
    questions, problems = check_bank_data({"questions": raw}, "w6.gift", CONCEPT_IDS)
    assert problems == []
    kinds = [q.kind for q in questions]
    assert kinds == ["choice", "choice", "numeric", "numeric", "free"]
    assert questions[0].choices == ("DistilBERT", "RoBERTa", "GPT-2") and questions[0].answer == 0
    assert questions[1].choices == ("True", "False") and questions[1].answer == 0
    assert questions[2].answer == 100 and questions[2].tolerance == 0
    assert (questions[3].answer, questions[3].tolerance) == (20, 12)
    assert questions[4].prompt == "In BERT: what does CLS stand for?"
    assert questions[4].reference == "classification"
    assert all(q.team == 2 and q.id.startswith("w6-") for q in questions)


@pytest.mark.parametrize("text", ["", "no braces here", "::t:: two right {=a =b ~c}", "x {#abc}"])
def test_bad_gift(text):
    with pytest.raises(GiftError):
        parse_gift(text, concepts=["attention"], team=1, prefix="x")


@pytest.mark.parametrize("bad", ["has space", "colon:in", "x" * 65, "é"])
def test_question_ids_fit_in_a_discord_button(bad):
    raw = {"id": bad, "kind": "numeric", "concepts": ["attention"], "prompt": "How many?"}
    _, problems = check_bank_data({"questions": [{**raw, "answer": 12}]}, "w.toml", CONCEPT_IDS)
    assert any("id must be 1-64 letters" in p for p in problems), problems
    _, fine = check_bank_data(
        {"questions": [{**raw, "id": "w7.q-1_b", "answer": 12}]}, "w.toml", CONCEPT_IDS
    )
    assert fine == []
