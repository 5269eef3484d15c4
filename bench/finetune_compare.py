"""Our fine-tune against the stock Hugging Face recipe, same data, same run.

    python bench/finetune_compare.py [--data ../shared/data/sst2] [--max-train N] [--device cpu|cuda]
    (needs `pip install -e ".[bench]"` for the Trainer's accelerate dependency)

Stock recipe (the peer to beat): Trainer + peft LoRA r=16, alpha=32 on query/value, lr 5e-4,
batch 32, fp32, DataCollatorWithPadding, 1 epoch. Ours: skills.finetune.train with its defaults
(LoRA r=16 on query/key/value/dense, lr 1e-3, length-grouped batches, bf16 on GPU), run as the
job runner runs it. Prints training seconds, dev accuracy and the speed ratio.
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


def stock_recipe(data: Path, max_train: int | None, device: str, out: Path) -> dict:
    import numpy as np
    import torch
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        Trainer,
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

    args = TrainingArguments(
        output_dir=str(out),
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
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
    )
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start
    predictions = trainer.predict(Rows(dev))
    accuracy = float((np.argmax(predictions.predictions, -1) == predictions.label_ids).mean())
    return {
        "train_seconds": round(seconds, 2),
        "dev_accuracy": round(accuracy, 4),
        "train_examples": len(train),
    }


def ours(data: Path, max_train: int | None, device: str, out: Path) -> dict:
    config = TrainConfig(data=str(data), max_train=max_train, device=device, output_dir=str(out))
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
    return {k: final[k] for k in ("train_seconds", "dev_accuracy", "train_examples")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "sst2")
    parser.add_argument(
        "--max-train", type=int, default=None, help="default: 4000 on CPU, all on GPU"
    )
    parser.add_argument("--device", default="cuda" if _has_cuda() else "cpu")
    args = parser.parse_args()
    max_train = args.max_train or (4000 if args.device == "cpu" else None)
    print(f"data {args.data}, device {args.device}, training examples: {max_train or 'all'}")
    with tempfile.TemporaryDirectory() as tmp:
        stock = stock_recipe(args.data, max_train, args.device, Path(tmp) / "stock")
        print(
            f"stock HF recipe: {stock['train_seconds']:7.1f} s training, dev accuracy {stock['dev_accuracy']:.1%} ({stock['train_examples']} examples)"
        )
        (Path(tmp) / "ours").mkdir()
        mine = ours(args.data, max_train, args.device, Path(tmp) / "ours")
        print(
            f"ours:            {mine['train_seconds']:7.1f} s training, dev accuracy {mine['dev_accuracy']:.1%} ({mine['train_examples']} examples)"
        )
    print(
        f"speed-up (stock time / our time): {stock['train_seconds'] / mine['train_seconds']:.2f}x; "
        f"accuracy difference: {100 * (mine['dev_accuracy'] - stock['dev_accuracy']):+.1f} points"
    )


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


if __name__ == "__main__":
    main()
