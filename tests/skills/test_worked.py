"""A question's own numbers, read robustly and worked out (skills/worked.py)."""

import pytest

from skills.worked import number, work_out


@pytest.mark.parametrize(
    ("text", "value"),
    [("2.5k", 2500), ("1,000", 1000), ("64", 64), ("0.5", 0.5), ("1.2m", 1_200_000), ("x", None)],
)
def test_numbers_are_read_as_people_write_them(text, value):
    assert number(text) == value


@pytest.mark.parametrize(
    ("question", "concept", "result"),
    [
        ("steps per epoch for 4000 examples at batch 64", "epochs-batches-steps", "63 steps"),
        ("how many steps for 3 epochs of 2.5k examples, batch size 32", "epochs-batches-steps",
         "237 steps in 3 epochs"),
        ("1,000 examples, batch 10, 4 accumulation steps: how many steps per epoch?",
         "gradient-accumulation", "25 optimizer updates"),  # accumulation's card explains them
        ("how many updates per epoch with 3200 examples and batch 32", "epochs-batches-steps",
         "100 steps per epoch"),
        ("total steps is 1,500 and warmup is 10%: warmup steps?", "learning-rate-and-warmup",
         "150 warmup steps"),
        ("steps per epoch for 2000 examples at bs=16?", "epochs-batches-steps", "125 steps"),
        ("effective batch of 128 but only 32 examples fit on my gpu, how many accumulation steps?",
         "gradient-accumulation", "4 accumulation steps"),
        ("lora r 4 on a 512 x 512 matrix, trainable params", "lora-and-peft", "4,096"),
        ("lora rank-4 on a weight with d=512, k=2048", "lora-and-peft", "10,240"),
        ("logits 1, 0, -1 at temperature 2: probability of the top token?",
         "softmax-and-temperature", "0.506"),
        ("precision and recall are both 60%, f1?", "evaluation-metrics", "F1 = 0.600"),
        ("a 350M parameter model in fp16, how many GB?", "parameters-and-size", "0.70 GB"),
        ("bert-base 110M params fp32 how many MB", "parameters-and-size", "440 MB"),
        ("batch 16 and 4 accumulation steps, effective batch size?", "gradient-accumulation",
         "64"),
        ("10% warmup over 5000 steps", "learning-rate-and-warmup", "500 warmup steps"),
        ("lora r=8 on a 1024x1024 matrix: trainable parameters?", "lora-and-peft", "16,384"),
        ("lora rank 8 on 24 matrices of 768x768", "lora-and-peft", "294,912"),
        ("how many parameters does bert-large have", "parameters-and-size", "335,141,888"),
        ("softmax of 2, 1, 0 at temperature 0.5", "softmax-and-temperature", "0.867"),
        ("precision 0.8, recall 0.6, what is F1?", "evaluation-metrics", "0.686"),
        ("precision 80% and recall 60%: f1?", "evaluation-metrics", "0.686"),
        ("90 true positives, 10 false positives, 30 false negatives", "evaluation-metrics",
         "recall 0.750"),
    ],
)  # fmt: skip
def test_each_calculation_gets_the_students_own_result(question, concept, result):
    worked = work_out(question)
    assert worked is not None and worked.concept == concept
    assert result in worked.result, worked


@pytest.mark.parametrize(
    "question",
    [
        "what is lora?",
        "how many steps per epoch?",  # no numbers: the card answers
        "softmax over 50,000 tokens at temperature 2",  # one number, not a list of logits
        "why does warmup help?",
        "is 512 the max length of bert?",
    ],
)
def test_a_question_without_the_numbers_a_calculation_needs_is_left_to_the_card(question):
    assert work_out(question) is None
