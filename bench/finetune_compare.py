"""Time to accuracy: our fine-tune against the stock Hugging Face recipe, measured in one run.

    python bench/finetune_compare.py [--data ../shared/data/sst2] [--points 8] [--device cpu|cuda]
    (needs `pip install -e ".[bench]"` for the Trainer's accelerate dependency)

Stock recipe (the peer to beat): Trainer + peft LoRA r=16, alpha=32 on query/value, lr 5e-4,
batch 32, fp32, DataCollatorWithPadding, 1 epoch over 4,000 examples on a CPU. Ours:
skills.finetune.train with its defaults (the CPU preset: see TrainConfig), run as the job runner
runs it. Both measure the whole SST-2 dev set at `--points` moments of training; the time spent
measuring is not counted as training time. Prints both curves, how much sooner ours reaches the
stock recipe's final accuracy, each recipe's best accuracy within 10 s and 60 s of training,
and when ours reaches 85%. On a GPU host `--device cuda` is the default; give `--points 20` or
more there, since runs end in seconds and the 10 s figure needs measurements before 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from skills.finetune.config import TrainConfig  # noqa: E402
from skills.finetune.data import load_splits  # noqa: E402
from skills.models import packaged_minilm_path  # noqa: E402


def dev_accuracy_of(model, tokenizer, dev, device: str) -> float:
    """The whole dev set, in batches, the same measurement for both recipes."""
    import torch

    model.eval()
    correct = 0
    with torch.inference_mode():
        for start in range(0, len(dev), 128):
            rows = dev[start : start + 128]
            batch = tokenizer(
                [e.text for e in rows],
                truncation=True,
                max_length=128,
                padding=True,
                return_tensors="pt",
            ).to(device)
            predictions = model(**batch).logits.argmax(-1).tolist()
            correct += sum(p == e.label for p, e in zip(predictions, rows, strict=True))
    model.train()
    return correct / len(dev)


def stock_recipe(data: Path, max_train: int | None, device: str, out: Path, points: int) -> dict:
    import torch
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        Trainer,
        TrainerCallback,
        TrainingArguments,
    )

    train, dev, labels = load_splits(data, None, seed=0, max_train=max_train, max_eval=None)
    path = str(packaged_minilm_path())
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=len(labels))
    model = get_peft_model(
        model,
        LoraConfig(
            task_type=TaskType.SEQ_CLS, r=16, lora_alpha=32, target_modules=["query", "value"]
        ),
    )

    class Rows(torch.utils.data.Dataset):
        def __init__(self, examples):
            self.items = [
                {**tokenizer(e.text, truncation=True, max_length=128), "labels": e.label}
                for e in examples
            ]

        def __len__(self):
            return len(self.items)

        def __getitem__(self, i):
            return self.items[i]

    total_steps = -(-len(train) // 32)
    check_at = {max(1, round(total_steps * k / points)) for k in range(1, points + 1)}
    curve: list[tuple[float, float]] = []

    class Curve(TrainerCallback):
        """Dev accuracy at `points` steps; the time spent measuring is not training time."""

        def on_train_begin(self, args, state, control, **kwargs):
            self.started, self.measuring = time.perf_counter(), 0.0

        def on_step_end(self, args, state, control, model=None, **kwargs):
            if state.global_step in check_at:
                paused = time.perf_counter()
                accuracy = dev_accuracy_of(model, tokenizer, dev, device)
                curve.append((paused - self.started - self.measuring, accuracy))
                self.measuring += time.perf_counter() - paused

    args = TrainingArguments(
        output_dir=str(out),
        per_device_train_batch_size=32,
        learning_rate=5e-4,
        num_train_epochs=1,
        report_to="none",
        save_strategy="no",
        logging_strategy="no",
        disable_tqdm=True,
        use_cpu=device == "cpu",
        seed=0,
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=Rows(train),
        data_collator=DataCollatorWithPadding(tokenizer),
        callbacks=[Curve()],
    )
    trainer.train()
    return {"curve": curve, "train_examples": len(train)}


def ours(
    data: Path, max_train: int | None, device: str, out: Path, points: int, options: dict
) -> dict:
    """Our trainer with its defaults (plus `options`), run as the job runner runs it."""
    config = TrainConfig(
        data=str(data),
        max_train=max_train,
        device=device,
        output_dir=str(out),
        evaluations=points,
        evaluation_sample=0,
        **options,
    )
    path = config.save(out / "config.json")
    result = subprocess.run(
        [sys.executable, "-m", "skills.finetune.train", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    events = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    final = events[-1]
    if final.get("event") != "finished":
        raise SystemExit(f"our run failed: {final}\n{result.stderr[-2000:]}")
    curve = [
        (e["train_seconds"], e["dev_accuracy"]) for e in events if e.get("event") == "evaluation"
    ]
    return {"curve": curve, "train_examples": final["train_examples"], "config": final["config"]}


def time_to(curve: list[tuple[float, float]], accuracy: float) -> float | None:
    """Training seconds at the first measurement that reached `accuracy` (None: never)."""
    return next((seconds for seconds, score in curve if score >= accuracy), None)


def best_within(curve: list[tuple[float, float]], seconds: float) -> float | None:
    """The best dev accuracy measured within `seconds` of training (None: none measured yet)."""
    return max((score for at, score in curve if at <= seconds), default=None)


def show(name: str, run: dict) -> None:
    print(f"{name} ({run['train_examples']} training examples): seconds -> dev accuracy")
    print("  " + ", ".join(f"{s:.1f} s {a:.1%}" for s, a in run["curve"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "sst2")
    parser.add_argument(
        "--max-train",
        type=int,
        default=None,
        help="examples for both recipes (default: our CPU preset's count on CPU, all on GPU)",
    )
    parser.add_argument("--stock-max-train", type=int, default=4000, help="stock recipe's examples")
    parser.add_argument("--points", type=int, default=8, help="dev measurements per run")
    parser.add_argument("--device", default="cuda" if _has_cuda() else "cpu")
    args = parser.parse_args()
    on_cpu = args.device == "cpu"
    mine_train = args.max_train  # None: our preset (on a CPU: TrainConfig.subset)
    stock_train = args.max_train or (args.stock_max_train if on_cpu else None)
    print(f"data {args.data}, device {args.device}, torch threads {_threads()}")
    with tempfile.TemporaryDirectory() as tmp:
        stock = stock_recipe(args.data, stock_train, args.device, Path(tmp) / "stock", args.points)
        show("stock HF recipe (Trainer, LoRA r=16 on query/value, lr 5e-4)", stock)
        (Path(tmp) / "ours").mkdir()
        mine = ours(args.data, mine_train, args.device, Path(tmp) / "ours", args.points, {})
        settings = mine["config"]
        show(
            f"ours ({settings['method']}, {'mean' if settings['pooling'] != 'cls' else 'cls'} "
            f"pooling, lr {settings['learning_rate']:g}, head lr {settings['head_learning_rate']:g})",
            mine,
        )
    stock_accuracy = stock["curve"][-1][1]
    stock_seconds = time_to(stock["curve"], stock_accuracy)  # its first time at that accuracy
    assert stock_seconds is not None
    reached = time_to(mine["curve"], stock_accuracy)
    if reached is None:
        print(f"ours never reached the stock recipe's {stock_accuracy:.1%}")
    else:
        print(
            f"time to the stock recipe's final accuracy ({stock_accuracy:.1%}): stock "
            f"{stock_seconds:.1f} s, ours {reached:.1f} s: {stock_seconds / reached:.1f}x sooner"
        )
    for budget in (10.0, 60.0):
        figures = [
            f"{who} " + (f"{best:.1%}" if (best := best_within(run["curve"], budget)) else "-")
            for who, run in (("stock", stock), ("ours", mine))
        ]
        print(f"best dev accuracy within {budget:.0f} s of training: " + ", ".join(figures))
    at_85 = time_to(mine["curve"], 0.85)
    print(
        "ours reached 85% dev accuracy after "
        + (f"{at_85:.1f} s of training" if at_85 is not None else "- (never)")
        + f"; final {mine['curve'][-1][1]:.1%} after {mine['curve'][-1][0]:.1f} s"
    )


def _threads() -> int:
    import torch

    return torch.get_num_threads()


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


if __name__ == "__main__":
    main()
