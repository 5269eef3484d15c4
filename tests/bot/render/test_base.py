"""What bot/render/base.py gives every feature's text: score bars, counts with their noun,
aligned tables and a question's choices."""

from bot.render.base import BAR_WIDTH, bar, counted, question_body, table_lines
from skills.quiz.bank import Question


def test_a_count_of_one_is_singular():
    assert counted(1, "question") == "1 question"
    assert counted(2, "question") == "2 questions"
    assert counted(1_000, "chunk") == "1,000 chunks"
    assert counted(0, "graded quiz answer") == "0 graded quiz answers"
    assert counted(3, "index", "indexes") == "3 indexes"


def test_an_irregular_plural_is_used_only_for_more_than_one():
    assert counted(1, "backup copy", "backup copies") == "1 backup copy"
    assert counted(2, "backup copy", "backup copies") == "2 backup copies"
    assert counted(0, "person", "people") == "0 people"
    assert counted(1_234_567, "person", "people") == "1,234,567 people"


def test_a_bar_is_twenty_cells_filled_by_the_score_and_clipped():
    assert bar(0.5) == "█" * 10 + "·" * 10
    assert bar(0.26, 10) == "███·······"  # 2.6 cells round to 3
    assert bar(1.7) == "█" * 20 and bar(-0.2) == "·" * 20
    assert bar(0.0, 4) == "····"


def test_every_bar_has_its_width_whatever_the_score():
    assert BAR_WIDTH == 20
    for score in (0.0, 0.01, 0.49, 0.51, 0.99, 1.0):
        assert len(bar(score)) == BAR_WIDTH
        assert len(bar(score, 7)) == 7
    assert bar(0.99, 10) == "█" * 10  # 9.9 cells round to a full bar
    assert bar(0.04, 10) == "·" * 10  # 0.4 cells round to none


def test_a_table_is_aligned_columns_under_a_rule_as_wide_as_each_column():
    lines = table_lines(
        ["concept", "n"],
        [["Tokens", "12"], ["Attention masks", "3"], ["LoRA", "100"]],
    )
    assert lines == [
        "concept          n",
        "---------------  ---",
        "Tokens           12",
        "Attention masks  3",
        "LoRA             100",
    ]


def test_a_header_wider_than_its_cells_sets_the_column_and_lines_end_without_spaces():
    lines = table_lines(["#", "quiz accuracy", "note"], [["1", "80%", ""], ["2", "-", ""]])
    assert lines == [
        "#  quiz accuracy  note",
        "-  -------------  ----",
        "1  80%",  # the empty last cell leaves no trailing spaces
        "2  -",
    ]
    assert all(line == line.rstrip() for line in lines)


def test_a_very_long_cell_widens_only_its_own_column():
    long_name = "a concept with a title far longer than any header " * 2
    lines = table_lines(["name", "x"], [[long_name.strip(), "1"], ["short", "22"]])
    width = len(long_name.strip())
    assert lines[1] == "-" * width + "  --"
    assert lines[3] == "short".ljust(width) + "  22"


def choice(n: int) -> Question:
    options = tuple(f"option {k}" for k in range(n))
    return Question("c", 1, "choice", ("x",), "Which?", choices=options, answer=0)


def test_a_choice_question_lists_each_choice_by_its_letter():
    assert question_body(choice(2)) == ["  A) option 0", "  B) option 1", "Answer with a letter."]
    five = question_body(choice(5))
    assert [line[:5] for line in five[:-1]] == ["  A) ", "  B) ", "  C) ", "  D) ", "  E) "]
    assert five[-1] == "Answer with a letter."


def test_numeric_and_live_questions_ask_for_a_number_with_its_unit():
    numeric = Question("n", 1, "numeric", ("x",), "How many?", unit="tokens")
    assert question_body(numeric) == ["Answer with a number. (unit: tokens)"]
    live = Question("l", 1, "live", ("x",), "How many tokens?", live="count_tokens")
    assert question_body(live) == ["Answer with a number."]


def test_a_free_question_asks_for_a_sentence():
    free = Question("f", 1, "free", ("x",), "Why?", reference="Because.")
    assert question_body(free) == ["Answer in a sentence."]


def test_a_table_with_no_rows_is_its_headers_and_rule():
    assert table_lines(["model", "id"], []) == ["model  id", "-----  --"]
