import pytest

from skills.quiz.bank import Question
from skills.quiz.grading import grade, grade_choice, grade_free, grade_numeric, parse_number

CHOICE = Question(
    "c", 1, "choice", ("attention",), "Pick", choices=("red", "Green", "blue"), answer=1
)
NUMERIC = Question("n", 4, "numeric", ("epochs-batches-steps",), "Steps?", answer=100, unit="steps")
PERCENT = Question(
    "p", 5, "numeric", ("lora-and-peft",), "Share?", answer=4.17, tolerance=0.05, unit="%"
)


@pytest.mark.parametrize("answer", ["B", "b", " b) ", "2", "green", "GREEN"])
def test_choice_accepts_letter_number_or_text(answer):
    assert grade_choice(CHOICE, answer).credit == 1.0


def test_choice_wrong_and_unreadable():
    assert grade_choice(CHOICE, "A").credit == 0.0
    assert "the answer is B) Green" in grade_choice(CHOICE, "A").reason
    unreadable = grade_choice(CHOICE, "purple")
    assert not unreadable.counted and "letter" in unreadable.reason


SEP = Question(
    "sep",
    3,
    "choice",
    ("special-tokens",),
    "What does [SEP] mark?",
    choices=(
        "The classification token",
        "The end of a sequence, or the boundary between two segments",
        "A padding position",
        "An unknown word",
    ),
    answer=1,
)


@pytest.mark.parametrize(
    ("answer", "chosen"),
    [
        ("(b)", 1),
        ("option B", 1),
        ("b.", 1),
        ("the boundary between two segments", 1),
        ("a padding position", 2),
        ("padding", None),  # too little to tell: not an attempt
        ("what is sep again?", None),
    ],
)
def test_paraphrased_choices_are_read_or_left_for_another_try(answer, chosen):
    result = grade_choice(SEP, answer)
    if chosen is None:
        assert not result.counted
    else:
        assert result.counted and result.credit == (1.0 if chosen == 1 else 0.0)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("100", 100),
        ("100 steps", 100),
        ("1e2", 100),
        ("1,000", 1000),
        ("about 4.17%", 4.17),
        ("-0.5", -0.5),
        (".5", 0.5),
        ("24 576", 24576),
        ("no digits", None),
        ("four", 4),
        ("4 tokens", 4),
        ("≈4", 4),
        ("~ 4", 4),
        ("twenty-four", 24),
        ("one hundred and twelve", 112),
        ("a thousand steps", 1000),
        ("I think it is three pieces", 3),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("answer", ["100", "100 steps", "1e2", "100.0", "it's 100"])
def test_numeric_formats(answer):
    assert grade_numeric(NUMERIC, answer).credit == 1.0


def test_a_numeric_answer_without_a_number_is_not_an_attempt():
    result = grade_numeric(NUMERIC, "no idea")
    assert not result.counted and "answer with a number" in result.reason
    assert not grade_numeric(NUMERIC, "maybe the second one?").counted  # a question, not 1
    assert grade_numeric(NUMERIC, "100?").credit == 1.0  # a hesitant number is still a number
    assert grade_numeric(NUMERIC, "one hundred").credit == 1.0


def test_numeric_wrong_and_tolerance():
    assert grade_numeric(NUMERIC, "101").credit == 0.0
    assert "the answer is 100 steps" in grade_numeric(NUMERIC, "101").reason
    assert grade_numeric(PERCENT, "4.2").credit == 1.0
    assert grade_numeric(PERCENT, "0.0417").credit == 1.0  # a fraction for a percentage
    assert grade_numeric(PERCENT, "4.3").credit == 0.0


def test_live_questions_need_their_key():
    live = Question(
        "l",
        3,
        "live",
        ("tokenization",),
        "How many?",
        live="token_count",
        tokenizer="gpt2",
        text="x",
    )
    assert grade(live, "4", similarity=lambda a, b: 0.0, live_key=4).credit == 1.0
    with pytest.raises(ValueError):
        grade(live, "4", similarity=lambda a, b: 0.0)


NAN = Question(
    "t4-nan",
    4,
    "free",
    ("learning-rate-and-warmup",),
    "Your loss is NaN after a few steps. Why?",
    reference="The learning rate is too high, so the updates are so large that the weights explode; reduce the learning rate.",
    key_terms=(("learning rate", "lr"), ("too high", "too large", "too big", "reduce", "lower")),
)


@pytest.fixture(scope="module")
def similarity(real_encoder):
    def sim(a: str, b: str) -> float:
        v = real_encoder.encode([a, b], normalize_embeddings=True)
        return float(v[0] @ v[1])

    return sim


@pytest.mark.parametrize(
    ("answer", "credit"),
    [
        ("the learning rate is too high", 1.0),
        ("The LR is way too large so the weights blow up, lower the learning rate", 1.0),
        ("lr too big", 0.5),
        ("batch size too small", 0.0),
        ("I don't know", 0.0),
        ("pizza", 0.0),
        ("", 0.0),
    ],
)
def test_free_text_is_graded_by_meaning_and_key_terms(similarity, answer, credit):
    result = grade_free(NAN, answer, similarity)
    assert result.credit == credit, result.reason
    assert result.reason  # a one-line reason is always given
    assert "\n" not in result.reason


def test_free_text_reason_names_what_is_missing(similarity):
    result = grade_free(NAN, "the weights exploded", similarity)
    assert "learning rate" in result.reason


def test_huge_answer_is_graded_on_its_start(similarity):
    result = grade_free(NAN, "the learning rate is too high. " + "x" * 5000, similarity)
    assert result.credit > 0
