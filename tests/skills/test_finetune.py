import json
import random
from pathlib import Path

import pytest

from skills.finetune.config import ConfigError, TrainConfig
from skills.finetune.data import DataError, length_grouped_batches, load_splits, read_examples
from skills.finetune.train import main


def test_config_refuses_bad_settings(tmp_path, sentiment_data):
    data = str(sentiment_data)
    cases = [
        ({"lora_r": 0}, "LoRA rank"),
        ({"method": "magic"}, "method must be"),
        ({"model": "gpt-5"}, "unknown model"),
        ({"model": "t5-small"}, "unknown model"),
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 0}, "batch size"),
        ({"data": str(tmp_path / "missing.tsv")}, "data file not found"),
    ]
    for changes, message in cases:
        with pytest.raises(ConfigError, match=message):
            TrainConfig(**{"data": data, **changes}).validate()
    with pytest.raises(ConfigError, match="unknown settings"):
        TrainConfig.from_dict({"data": data, "lora_rank": 8})


def test_config_round_trips(tmp_path, sentiment_data):
    config = TrainConfig(data=str(sentiment_data), method="full")
    assert config.lr == 1e-4 and TrainConfig(data="x", pooling="cls").lr == 1e-3
    loaded = TrainConfig.load(config.save(tmp_path / "c.json"))
    assert loaded.method == "full" and loaded.learning_rate == 1e-4


def test_data_files(tmp_path, sentiment_data):
    train, dev, labels = load_splits(sentiment_data, None, seed=0, max_train=50, max_eval=None)
    assert (len(train), len(dev), labels) == (50, 60, ["0", "1"])
    csv_file = tmp_path / "reviews.csv"
    csv_file.write_text(
        "text,sentiment\n" + '"great, really",pos\nawful,neg\nfine,pos\nmeh,neg\n' * 10
    )
    examples, names = read_examples(csv_file)
    assert (
        names == ["neg", "pos"] and examples[0].text == "great, really" and examples[0].label == 1
    )
    train, dev, _ = load_splits(csv_file, None, seed=0, max_train=None, max_eval=None)
    assert len(dev) == 4 and len(train) == 36  # no dev file: 10% held out
    one_label = tmp_path / "one.tsv"
    one_label.write_text("sentence\tlabel\na\t1\nb\t1\n")
    with pytest.raises(DataError, match="two different labels"):
        read_examples(one_label)


def test_min_words_takes_longer_examples_first(tmp_path):
    data = tmp_path / "phrases.tsv"
    short = [f"ok {i}\t{i % 2}" for i in range(40)]
    long = [f"a whole sentence with many words number {i}\t{i % 2}" for i in range(8)]
    data.write_text("sentence\tlabel\n" + "\n".join(short + long) + "\n")
    dev = tmp_path / "dev.tsv"
    dev.write_text("sentence\tlabel\nfine\t1\nbad\t0\n")
    train, _, _ = load_splits(data, dev, seed=0, max_train=10, max_eval=None, min_words=5)
    assert len(train) == 10  # every long example, then short ones to make up the count
    assert sum(len(e.text.split()) >= 5 for e in train) == 8
    plain, _, _ = load_splits(data, dev, seed=0, max_train=10, max_eval=None)
    assert sum(len(e.text.split()) >= 5 for e in plain) < 8


def test_length_grouped_batches_cover_everything_once():
    lengths = [random.Random(i).randint(1, 60) for i in range(1000)]
    batches = length_grouped_batches(lengths, 32, random.Random(0))
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(1000))
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches) / len(
        batches
    )
    assert spread < 10  # similar lengths per batch: little padding


def run_program(tmp_path, capsys, **settings) -> list[dict]:
    config = TrainConfig(**{"output_dir": str(tmp_path / "out"), "progress_every": 5, **settings})
    code = main([str(config.save(tmp_path / "config.json"))])
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    events.append({"exit": code})
    return events


def test_lora_run_learns_and_reports(tmp_path, capsys, tiny_classifier_dir, sentiment_data):
    events = run_program(
        tmp_path,
        capsys,
        data=str(sentiment_data),
        model=str(tiny_classifier_dir),
        epochs=3,
        lora_r=8,
        learning_rate=5e-3,
    )
    kinds = [e.get("event") for e in events[:-1]]
    assert (
        kinds[0] == "started" and kinds[-2:] == ["evaluation", "finished"] and "progress" in kinds
    )
    started, finished = events[0], events[-2]
    assert started["trainable_params"] < started["total_params"] * 0.2
    assert {"torch", "transformers", "peft"} <= set(started["versions"])
    assert finished["dev_accuracy"] >= 0.9, finished["dev_accuracy"]
    assert finished["status"] == "succeeded" and events[-1]["exit"] == 0
    assert (tmp_path / "out" / "adapter" / "adapter_model.safetensors").exists()
    assert (tmp_path / "out" / "loss_curve.png").stat().st_size > 1000
    alt = finished["loss_curve_alt_text"]  # the picture in words, for its alt text
    first_loss = f"{finished['losses'][0][1]:.3f} at step {finished['losses'][0][0]}"
    assert alt.startswith("Line chart of the training loss per step") and first_loss in alt
    assert f"dev accuracy at the end {finished['dev_accuracy']:.1%}" in alt
    progress = [e for e in events if e.get("event") == "progress"]
    assert progress[-1]["step"] == progress[-1]["total_steps"]
    # a curve long enough for checks gets them, at evenly spaced steps, on a dev sample
    checks = [e["step"] for e in events if e.get("during_training")]
    assert len(checks) == 3 and checks == sorted(checks), checks


def test_a_run_too_short_for_a_curve_skips_the_checks_during_training(
    tmp_path, capsys, tiny_classifier_dir, sentiment_data
):
    events = run_program(
        tmp_path,
        capsys,
        data=str(sentiment_data),
        model=str(tiny_classifier_dir),
        epochs=1,
        batch_size=64,
    )
    total = next(e for e in events if e.get("event") == "started")["total_steps"]
    assert total < 4 * 5  # fewer than MIN_STEPS_PER_CHECK between the four measurements
    assert not [e for e in events if e.get("during_training")]
    final = [e for e in events if e.get("event") == "evaluation"]
    assert len(final) == 1 and final[0]["dev_examples"] > 0  # the whole dev set, once


@pytest.mark.parametrize("method", ["lora", "full"])
def test_mean_pooling_trains_a_head_on_the_mean_and_saves_it(
    tmp_path, capsys, tiny_classifier_dir, sentiment_data, method
):
    from skills.finetune.pooling import is_mean_pool

    events = run_program(
        tmp_path,
        capsys,
        data=str(sentiment_data),
        model=str(tiny_classifier_dir),
        method=method,
        pooling="mean",
        epochs=3,
        learning_rate=5e-3,
    )
    finished = events[-2]
    assert finished["event"] == "finished", events[-2:]
    assert finished["dev_accuracy"] >= 0.9, finished["dev_accuracy"]
    assert finished["config"]["head_learning_rate"] == 3e-3  # the mean-pooling default
    assert is_mean_pool(Path(finished["saved"]))


def test_mean_pooling_is_the_default_for_sentence_transformers_only(tmp_path, sentiment_data):
    minilm = TrainConfig(data=str(sentiment_data))
    assert minilm.mean_pooling and (minilm.lr, minilm.head_lr) == (2e-3, 3e-3)
    assert minilm.subset("cpu") == (8000, 10) and minilm.subset("cuda") == (None, 0)
    bert = TrainConfig(data=str(sentiment_data), model="bert-base-uncased", method="full")
    assert not bert.mean_pooling and bert.head_lr == bert.lr == 1e-4
    with pytest.raises(ConfigError, match="pooling must be one of"):
        TrainConfig(data=str(sentiment_data), pooling="max").validate()


@pytest.mark.parametrize("method", ["full", "freeze"])
def test_full_and_freeze_train_more_or_fewer_parameters(
    tmp_path, capsys, tiny_classifier_dir, sentiment_data, method
):
    events = run_program(
        tmp_path,
        capsys,
        data=str(sentiment_data),
        model=str(tiny_classifier_dir),
        method=method,
        freeze_layers=1,
        max_train=64,
    )
    started = events[0]
    if method == "full":
        assert started["trainable_params"] == started["total_params"]
    else:
        assert 0 < started["trainable_params"] < started["total_params"]
    assert events[-2]["event"] == "finished"


def test_failures_are_events_with_a_kind(tmp_path, capsys, sentiment_data):
    events = run_program(tmp_path, capsys, data=str(sentiment_data), lora_r=0)
    assert (
        events[0]["event"] == "failed" and events[0]["kind"] == "config" and events[-1]["exit"] == 2
    )
    events = run_program(
        tmp_path, capsys, data=str(sentiment_data), model="roberta-base", device="cpu"
    )
    assert events[0]["event"] == "failed" and events[0]["kind"] in ("model", "config")


def test_cuda_out_of_memory_is_reported_as_oom(tmp_path, capsys, sentiment_data, monkeypatch):
    import torch

    from skills.finetune import train as program

    def out_of_memory(config, events):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(program, "train", out_of_memory)
    events = run_program(tmp_path, capsys, data=str(sentiment_data))
    assert events[0]["kind"] == "oom" and "smaller batch" in events[0]["reason"]
    assert events[-1]["exit"] == 3


def test_hub_datasets_fail_clearly_without_a_hub(tmp_path, monkeypatch):
    from skills import models
    from skills.finetune.data import fetch_hub_dataset

    monkeypatch.setattr(models, "hub_reachable", lambda endpoint=None: False)
    with pytest.raises(DataError, match=r"datasets|cannot be reached"):
        fetch_hub_dataset("sst2", tmp_path)
    with pytest.raises(DataError, match="unknown hub dataset"):
        fetch_hub_dataset("imagenet", tmp_path)
    TrainConfig(data="hub:sst2").validate()  # accepted; fetched by the training process


def test_a_cached_hub_dataset_is_used_offline(tmp_path, sentiment_data):
    import shutil

    from skills.finetune.data import fetch_hub_dataset

    shutil.copytree(sentiment_data, tmp_path / "sst2")
    assert fetch_hub_dataset("sst2", tmp_path) == tmp_path / "sst2"
