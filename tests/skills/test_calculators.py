import math

import pytest

from skills.calculators import (
    BERT_CONFIGS,
    CalculatorError,
    bert_parameters,
    lora_parameters,
    softmax,
    steps_per_epoch,
)


def test_handout_softmax_example():
    probs = softmax([2.5, 1.0, 0.5, 1.5])
    assert [round(p, 3) for p in probs] == [0.579, 0.129, 0.078, 0.213]
    assert math.isclose(sum(probs), 1.0)


def test_temperature_sharpens_and_flattens():
    logits = [2.5, 1.0, 0.5, 1.5]
    assert softmax(logits, 0.5)[0] > softmax(logits)[0] > softmax(logits, 2.0)[0]
    assert softmax([1000.0, 0.0])[0] == pytest.approx(1.0)  # no overflow


@pytest.mark.parametrize(
    ("logits", "t"), [([], 1.0), ([1.0], 0.0), ([1.0], -1.0), ([math.inf], 1.0)]
)
def test_softmax_rejects_bad_input(logits, t):
    with pytest.raises(CalculatorError):
        softmax(logits, t)


def test_steps_per_epoch():
    assert steps_per_epoch(1000, 10) == 100
    assert steps_per_epoch(1001, 10) == 101
    assert steps_per_epoch(1001, 10, drop_last=True) == 100
    with pytest.raises(CalculatorError):
        steps_per_epoch(10, 0)


def test_lora_handout_exercise():
    count = lora_parameters(768, 768, 16, model_params=340_000_000)
    assert count.lora_params == 24_576
    assert count.full_params == 589_824
    assert count.share_of_matrix == pytest.approx(1 / 24)
    assert count.share_of_model == pytest.approx(24_576 / 340e6)
    with pytest.raises(CalculatorError):
        lora_parameters(8, 8, 16)


@pytest.mark.parametrize("name", ["bert-base", "bert-large"])
def test_bert_counts_match_transformers(name):
    import torch
    from transformers import BertConfig, BertModel

    c = BERT_CONFIGS[name]
    config = BertConfig(
        hidden_size=c.hidden,
        num_hidden_layers=c.layers,
        num_attention_heads=c.heads,
        intermediate_size=c.intermediate,
    )
    with torch.device("meta"):  # shapes only: no memory, no time
        model = BertModel(config)
    assert bert_parameters(c).total == sum(p.numel() for p in model.parameters())
