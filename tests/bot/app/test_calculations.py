import pytest

from bot.app.calculations import calculate
from skills.calculators import CalculatorError


def test_softmax_with_temperature_option():
    calc = calculate("softmax 2.5, 1.0, 0.5, 1.5 T=2")
    assert calc.data["temperature"] == 2
    assert round(calc.data["probabilities"][0], 4) == 0.4087


def test_numbers_with_suffixes():
    assert calculate("lora 768 768 16 model=110M").data["share_of_model"] == pytest.approx(
        24576 / 110e6
    )
    assert calculate("steps 1e3 10").data["steps_per_epoch"] == 100


@pytest.mark.parametrize(
    "expression",
    [
        "",
        "pizza 1 2",
        "softmax",
        "softmax a b",
        "steps 10",
        "steps 10.5 2",
        "lora 1 2",
        "bert huge",
    ],
)
def test_bad_expressions_explain_usage(expression):
    with pytest.raises(CalculatorError):
        calculate(expression)


def test_bert_sizes():
    assert calculate("bert base").data["total"] == 109_482_240
    assert calculate("bert bert-large").data["total"] == 335_141_888
